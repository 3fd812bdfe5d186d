'use strict'
// Replay stores of the edge platforms for the `replayStore` option: each answers `claim(id,
// ttlSeconds)` with `true` (new) or `false` (seen); the gate decides the rest (SPEC.md §6).

/** The stores, throwing `ConfigError` for a binding they cannot use. */
function createStores(ConfigError) {
  /**
   * A replay store on Cloudflare Durable Objects: `namespace` is the binding of a Durable
   * Object class exported as `QStashReplayObject` (below). Each token id has an object of its
   * own, which remembers it until the token expires.
   */
  function durableObjectReplayStore(namespace, options = {}) {
    if (!namespace || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
      throw new ConfigError('durableObjectReplayStore needs a Durable Object namespace binding (env.QSTASH_REPLAY)')
    }
    return {
      timeoutMs: options.timeoutMs,
      failOpen: options.failOpen,
      async claim(id, ttlSeconds) {
        const stub = namespace.get(namespace.idFromName(id))
        const response = await stub.fetch('https://qstash-replay.internal/claim', {
          method: 'POST',
          body: JSON.stringify({ ttlSeconds }),
        })
        if (response.status === 201) return true
        if (response.status === 409) return false
        throw new Error(`the replay Durable Object answered ${response.status}`)
      },
    }
  }

  /** The Durable Object of `durableObjectReplayStore`: export it from the Worker
   * (`export { QStashReplayObject } from 'qstash-verify'`) and bind it in wrangler.toml. */
  class QStashReplayObject {
    constructor(state) {
      this.state = state
    }

    async fetch(request) {
      const { ttlSeconds } = await request.json()
      if (!Number.isFinite(ttlSeconds) || ttlSeconds < 1) return new Response(null, { status: 400 })
      // The object's input gate lets no other request in between the read and the write.
      if (await this.state.storage.get('claimed')) return new Response(null, { status: 409 })
      await this.state.storage.put('claimed', true)
      // Until the token can no longer verify, however long the clock tolerance makes that.
      await this.state.storage.setAlarm(Date.now() + ttlSeconds * 1000)
      return new Response(null, { status: 201 })
    }

    /** The token expired: nothing left to remember. */
    async alarm() {
      await this.state.storage.deleteAll()
    }
  }

  /**
   * A replay store on Redis over HTTP: `redis` is an `@upstash/redis` client (or one with the
   * same `set(key, value, { nx: true, px })`), so each claim is the `SET key 1 NX PX ttl` that
   * client sends; keys are prefixed with `qstash:jti:` like the native Redis guard's.
   */
  function redisReplayStore(redis, options = {}) {
    if (!redis || typeof redis.set !== 'function') {
      throw new ConfigError('redisReplayStore needs a client with set(key, value, { nx, px }), such as @upstash/redis')
    }
    const prefix = options.prefix ?? 'qstash:jti:'
    return {
      timeoutMs: options.timeoutMs,
      failOpen: options.failOpen,
      async claim(id, ttlSeconds) {
        const reply = await redis.set(prefix + id, 1, { nx: true, px: ttlSeconds * 1000 })
        // SPEC.md §6: `OK` stored the id, `null` found it; anything else says neither.
        if (reply === 'OK') return true
        if (reply === null) return false
        throw new Error(`Redis answered SET NX with ${JSON.stringify(reply) ?? String(reply)}, which is neither OK nor null`)
      },
    }
  }

  return { durableObjectReplayStore, QStashReplayObject, redisReplayStore }
}

module.exports = { createStores }
