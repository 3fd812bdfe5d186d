'use strict'
// The JavaScript half of qstash-verify, written once for both builds: the errors users catch,
// the `@upstash/qstash`-compatible `Receiver`, the `Gate` of the framework helpers and the
// fetch helpers. A build hands `createApi` its backend (`native.js` over the napi addon,
// `../wasm/backend.mjs` over the WebAssembly module), which only converts values; every rule
// is the Rust gate's. No Node built-ins here: `wasm/build.mjs` makes an ES module of this file
// (esbuild) for the WebAssembly build.
//
// A backend throws (or rejects with) the bindings' one error convention, `{ code, message }`
// (`code` a reason code, or `config`), and refuses a request with the gate's refusal
// (`{ status, reason, error, body, headers, logMessage, logLevel, messageId }`).

const decoder = new TextDecoder()

function createApi(backend) {
  // Read on first use: a WebAssembly backend can answer only once its module is instantiated.
  let reasons

  /** A delivery did not verify; `reason` says which rule failed. */
  class SignatureError extends Error {
    constructor(message, reason) {
      super(message)
      this.name = 'SignatureError'
      this.reason = reason
    }
  }

  /** Keys or options that cannot work (a `RangeError`: a value outside what is accepted). */
  class ConfigError extends RangeError {
    constructor(message) {
      super(message)
      this.name = 'ConfigError'
      this.reason = 'config'
    }
  }

  /** A refused request: `status`, `reason`, the JSON `body` text and the `headers` to answer with. */
  class Rejection extends Error {
    constructor(refusal) {
      super(`QStash delivery rejected: ${refusal.reason}`)
      this.name = 'Rejection'
      this.status = refusal.status
      this.reason = refusal.reason
      this.error = refusal.error
      this.body = refusal.body
      this.headers = Array.isArray(refusal.headers) ? Object.fromEntries(refusal.headers) : { ...refusal.headers }
      this.logMessage = refusal.logMessage
    }
  }

  /** Makes `SignatureError` derive from the official package's once the backend sees that
   * package loaded, so code written for it (`error instanceof SignatureError` with the
   * official class) still recognises what this receiver throws. Asked when a refusal is
   * thrown rather than at load: loading the official package costs a tenth of a second. */
  function adoptOfficialBase() {
    const Official = backend.officialSignatureError?.()
    // A shim or a test mock may export something that is no class (an arrow function has no
    // prototype, which `instanceof` throws on): then there is nothing to derive from.
    const base = typeof Official === 'function' ? Official.prototype : undefined
    if (base === null || typeof base !== 'object' || base === SignatureError.prototype) return
    if (Object.prototype.isPrototypeOf.call(base, SignatureError.prototype)) return
    try {
      Object.setPrototypeOf(SignatureError.prototype, base)
    } catch {
      // A base that would make a cycle, or a frozen prototype: the class stays our own.
    }
  }

  /** The backend's `{ code, message }` as the error users catch; anything else as it is. */
  function translate(error) {
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      if (error.code === 'config') return new ConfigError(error.message)
      reasons ??= new Set(backend.reasonCodes)
      if (reasons.has(error.code)) {
        adoptOfficialBase()
        return new SignatureError(error.message, error.code)
      }
    }
    return error
  }

  // The answers of `Receiver.verify`: settled promises can be shared, as nothing can change them.
  const VERIFIED = Promise.resolve(true)
  const accepted = () => true
  const rejected = (error) => {
    throw translate(error)
  }

  function call(run) {
    try {
      return run()
    } catch (error) {
      throw translate(error)
    }
  }

  /** The claims of a token the backend verified, read from the token itself only when first
   * looked at (most callers only need to know the delivery verified). The backend checked the
   * token, every rule included, so its payload is the verified claims. */
  class Claims {
    #token
    #key
    #region
    #fields

    constructor(token, key, region) {
      this.#token = token
      this.#key = key
      this.#region = region
    }

    #read() {
      if (this.#fields) return this.#fields
      const token = this.#token
      const payload = JSON.parse(backend.decodeSegment(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'))))
      this.#fields = {
        iss: 'Upstash',
        sub: payload.sub,
        jti: payload.jti,
        exp: payload.exp,
        nbf: payload.nbf,
        iat: payload.iat,
        key: this.#key,
        region: this.#region,
      }
      return this.#fields
    }

    get iss() {
      return 'Upstash'
    }
    get sub() {
      return this.#read().sub
    }
    get jti() {
      return this.#read().jti
    }
    get exp() {
      return this.#read().exp
    }
    get nbf() {
      return this.#read().nbf
    }
    get iat() {
      return this.#read().iat
    }
    get key() {
      return this.#key
    }
    get region() {
      return this.#region
    }

    toJSON() {
      return { ...this.#read() }
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toJSON()
    }
  }

  /** A token that verified, waiting for its body (`Receiver.verifyToken`). */
  class PendingBody {
    #pending

    constructor(pending) {
      this.#pending = pending
    }

    /** The destination URL the verified token names (the body is not checked yet). */
    get sub() {
      return this.#pending.sub
    }

    /** Hashes the next chunk of the body. */
    update(chunk) {
      call(() => this.#pending.update(chunk))
    }

    /** Checks the body hash; throws a `SignatureError` (`body`). */
    finish() {
      return call(() => this.#pending.finish())
    }
  }

  /** The backend's handle inside a `Receiver`, for the gates built on it. */
  let handleOf

  /**
   * Drop-in for `@upstash/qstash`'s `Receiver`. Keys from the config, else from the
   * environment (`QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`, regions).
   */
  class Receiver {
    #handle

    static {
      handleOf = (receiver) => {
        if (!(receiver instanceof Receiver)) throw new TypeError('receiver must be a qstash-verify Receiver')
        return receiver.#handle
      }
    }

    constructor(config) {
      this.#handle = call(() => backend.receiver(config ?? null))
    }

    /** A receiver with the public local-development keys (QStash CLI dev server, tests). */
    static dev() {
      return new Receiver({ devMode: true })
    }

    /** Resolves `true`, or rejects with a `SignatureError`, as the official receiver. A
     * delivery the backend verified on the spot answers an already settled promise: the
     * caller's `await` is then the only turn of the microtask queue it costs. */
    verify(request) {
      try {
        const pending = backend.verify(this.#handle, request)
        return pending === undefined ? VERIFIED : pending.then(accepted, rejected)
      } catch (error) {
        return Promise.reject(translate(error))
      }
    }

    /** Returns the verified claims, or throws a `SignatureError`. */
    verifySync(request) {
      let answer
      try {
        answer = backend.verifySync(this.#handle, request)
      } catch (error) {
        throw translate(error)
      }
      // The backend answers which key verified (bit 1: the next) and whether a region's pair
      // did (bit 2; it names the region when asked).
      const region = answer & 2 ? backend.region(this.#handle) : undefined
      return new Claims(request.signature, answer & 1 ? 'next' : 'current', region)
    }

    /** Verifies everything but the body before it is read; feed the body to the result. */
    verifyToken(request) {
      if (!backend.verifyToken) throw new TypeError(`verifyToken is not available in the ${backend.build} build`)
      return new PendingBody(call(() => backend.verifyToken(this.#handle, request)))
    }

    /** Replaces the default key pair on this live receiver (key rotation). */
    replaceKeys(currentSigningKey, nextSigningKey) {
      call(() => backend.replaceKeys(this.#handle, currentSigningKey, nextSigningKey))
    }

    /** Keys print as `[REDACTED]`. */
    toString() {
      return backend.describe(this.#handle)
    }

    toJSON() {
      return this.toString()
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toString()
    }
  }

  /** A text option as the gate reads it: a string, or the text of what was given (which the
   * gate then refuses with a message that shows it; `forwarded` once took a number). */
  const text = (value) => (value === undefined || value === null ? undefined : String(value))

  /** A number option as the gate reads it; the gate checks its range. */
  function number(value, name) {
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'number') throw new TypeError(`${name} must be a number, not ${typeof value}`)
    return value
  }

  /** Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
   * Build it once and pass it to the helpers instead of options. */
  class Gate {
    #handle

    constructor(options = {}) {
      // No receiver: the gate reads the keys from the environment when a delivery arrives
      // and refuses with `no_keys` until it can (SPEC.md §7.10), so an app starts without them.
      const receiver = options.receiver ?? null
      const gateOptions = {
        url: text(options.url),
        publicBase: text(options.publicBase),
        forwarded: text(options.forwarded),
        trustedProxies: number(options.trustedProxies, 'trustedProxies'),
        checkUrl: options.checkUrl ?? undefined,
        bodyLimit: number(options.bodyLimit, 'bodyLimit'),
        logLevel: text(options.logLevel),
      }
      // Checked first: a mistake in it is a ConfigError before anything is built.
      this.replayStore = storeOf(options.replayStore, options.replayGuard)
      this.#handle = call(() => backend.gate(receiver && handleOf(receiver), gateOptions, options.replayGuard ?? undefined))
      this.logger = options.logger === undefined ? console : options.logger
      if (options.onOutcome !== undefined && options.onOutcome !== null && typeof options.onOutcome !== 'function') {
        throw new ConfigError('onOutcome must be a function')
      }
      this.#hooks = [backend.telemetry?.(), options.onOutcome].filter((hook) => typeof hook === 'function')
    }

    #hooks

    /** Hands a delivery's outcome, as the gate decided it (SPEC.md §7.8), to OpenTelemetry
     * (when `@opentelemetry/api` is installed) and `onOutcome`; a hook that throws is logged
     * and never changes the answer. */
    outcome(outcome) {
      for (const hook of this.#hooks) {
        try {
          hook(outcome)
        } catch (error) {
          this.logger?.error?.(`QStash: the onOutcome hook threw: ${error?.message ?? error}`)
        }
      }
    }

    /** Token, claims, URL and declared length from the head alone. `header(name)` returns a
     * lower-case header's value; `target` is the original path and query, or the request's
     * absolute URL. */
    verifyHead(header, target) {
      let pending
      try {
        pending = backend.verifyHead(this.#handle, backend.headerNames.map(header), target)
      } catch (refusal) {
        throw this.log(refusal)
      }
      return new Pending(this, pending)
    }

    /** The refusal for a body that could not be read. */
    unreadable(header, target) {
      return this.log(backend.unreadable(this.#handle, backend.headerNames.map(header), target))
    }

    /** Logs a refusal (reason, message id, path; never the token), hands its outcome to the
     * hooks (the message id as the gate read it: absent when it is not text) and returns it
     * as a `Rejection`. */
    log(refusal) {
      if (!refusal || typeof refusal.status !== 'number') throw translate(refusal)
      this.logger?.[refusal.logLevel]?.(refusal.logMessage)
      const messageId = refusal.messageId ?? null
      this.outcome({ outcome: 'rejected', reason: refusal.reason, key: 'none', region: 'none', messageId })
      return new Rejection(refusal)
    }

    /** The largest body accepted, in bytes. */
    get bodyLimit() {
      return this.#handle.bodyLimit
    }

    get handle() {
      return this.#handle
    }
  }

  /** A delivery whose token verified: `update(chunk)` as the body arrives, then `await finish(body)`. */
  class Pending {
    #gate
    #handle

    constructor(gate, handle) {
      this.#gate = gate
      this.#handle = handle
    }

    update(chunk) {
      try {
        backend.update(this.#handle, chunk)
      } catch (refusal) {
        throw this.#gate.log(refusal)
      }
    }

    async finish(body) {
      const store = this.#gate.replayStore
      let delivery
      try {
        delivery = await backend.finish(this.#gate.handle, this.#handle, store !== undefined)
      } catch (refusal) {
        throw this.#gate.log(refusal)
      }
      if (store) {
        try {
          await this.#claim(store)
        } finally {
          backend.release?.(this.#handle)
        }
      }
      const claims = delivery.claims
      this.#gate.outcome({
        outcome: 'accepted',
        reason: 'none',
        key: claims.key,
        region: claims.region ?? 'default',
        messageId: delivery.messageId ?? null,
      })
      // The helpers' `Delivery` names every header, `null` when absent.
      return {
        claims: delivery.claims,
        body,
        messageId: delivery.messageId ?? null,
        retried: delivery.retried ?? null,
        region: delivery.region ?? null,
        scheduleId: delivery.scheduleId ?? null,
        topicName: delivery.topicName ?? null,
        text: () => decoder.decode(body),
        json: () => JSON.parse(decoder.decode(body)),
        callback: () => backend.callback(body),
      }
    }

    /** SPEC.md §6 with a store of the platform's, last: the gate's claim (the signed `jti`
     * until the token's expiry plus the tolerance) asked of `store`; a store that cannot
     * answer in time refuses with 503 unless it fails open. */
    async #claim(store) {
      let claim
      try {
        claim = backend.storeClaim(this.#handle)
      } catch (refusal) {
        throw this.#gate.log(refusal)
      }
      const ttlSeconds = Math.max(1, Math.ceil(claim.expiresAt - Date.now() / 1000))
      let fresh
      try {
        fresh = await withTimeout(store.claim(claim.id, ttlSeconds), store.timeoutMs)
        if (typeof fresh !== 'boolean') throw new TypeError(`replayStore.claim resolved to ${typeof fresh}, not a boolean`)
      } catch (error) {
        const why = error?.message ?? String(error)
        if (!store.failOpen) {
          this.#gate.logger?.error?.(`QStash: replay store unavailable, refusing the delivery (fail closed): ${why}`)
          throw this.#gate.log(backend.storeRefusal(this.#handle, true))
        }
        this.#gate.logger?.warn?.(`QStash: replay store unavailable, accepting the delivery unchecked (fail open): ${why}`)
        return
      }
      if (!fresh) throw this.#gate.log(backend.storeRefusal(this.#handle, false))
    }
  }

  /** `promise`, or a rejection after `ms` milliseconds. */
  function withTimeout(promise, ms) {
    let timer
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    })
    return Promise.race([Promise.resolve(promise), late]).finally(() => clearTimeout(timer))
  }

  /** The `replayStore` option checked: `claim(id, ttlSeconds)` resolving to `true` when the id
   * was new, `timeoutMs` (default 1000) checked as every store timeout, `failOpen`. */
  function storeOf(store, replayGuard) {
    if (store === undefined || store === null) return undefined
    if (typeof store.claim !== 'function') {
      throw new ConfigError('replayStore must have claim(id, ttlSeconds) returning a promise of a boolean')
    }
    if (replayGuard) throw new ConfigError('give replayGuard or replayStore, not both: each would remember what the other does not')
    const timeoutMs = call(() => backend.checkStoreTimeout(store.timeoutMs ?? 1000))
    return { claim: (id, ttl) => store.claim(id, ttl), timeoutMs, failOpen: store.failOpen === true }
  }

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

  /** The gate for a helper's options: a `Gate` as it is, else the official helpers' config
   * (`currentSigningKey`, `nextSigningKey`, `clockTolerance`, `devMode`) plus qstash-verify's
   * own options (`receiver`, the URL policy, `bodyLimit`, `replayGuard`, `logger`). */
  function gateOf(config = {}) {
    if (config instanceof Gate) return config
    const { currentSigningKey, nextSigningKey, clockTolerance, devMode, receiver, ...options } = config
    const keys = currentSigningKey !== undefined || nextSigningKey !== undefined || devMode || clockTolerance !== undefined
    return new Gate({
      ...options,
      receiver: receiver ?? (keys ? new Receiver({ currentSigningKey, nextSigningKey, devMode, clockTolerance }) : undefined),
    })
  }

  /** A function returning the gate, built on the first call: edge runtimes hand over their
   * environment with the first request. Keys that are missing never throw here: the gate
   * refuses with `no_keys` until it can read them (SPEC.md §7.10). */
  function lazyGate(config) {
    let gate
    return () => (gate ??= gateOf(config))
  }

  /**
   * Verifies a WHATWG `Request`. Resolves `{ verified: true, delivery }` (the body is consumed;
   * `delivery.body` holds the exact bytes, `delivery.text()` / `delivery.json()` decode them)
   * or `{ verified: false, reason, response }` with the gate's ready JSON `Response`.
   * `target` is the original path and query when the request's URL is not the one it arrived
   * with (a Node request turned into a fetch `Request`); the gate takes the path and query of
   * the URL otherwise.
   */
  async function verifyRequest(request, options = {}, target = request.url) {
    const gate = gateOf(options)
    const header = (name) => request.headers.get(name) ?? undefined
    try {
      const pending = gate.verifyHead(header, target)
      const chunks = []
      let size = 0
      if (request.body) {
        const reader = request.body.getReader()
        for (;;) {
          let step
          try {
            step = await reader.read()
          } catch {
            throw gate.unreadable(header, target)
          }
          if (step.done) break
          try {
            pending.update(step.value)
          } catch (rejection) {
            reader.cancel().catch(() => {})
            throw rejection
          }
          size += step.value.byteLength
          chunks.push(step.value)
        }
      }
      const delivery = await pending.finish(backend.concat(chunks, size))
      return { verified: true, delivery }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      return { verified: false, reason: error.reason, response: respond(error) }
    }
  }

  /** The gate's answer to a refusal, as a fetch `Response`. */
  function respond(rejection) {
    return new Response(rejection.body, { status: rejection.status, headers: rejection.headers })
  }

  /**
   * Wraps a fetch-style route handler: `export const POST = withQStash(async (req, delivery) => ...)`.
   * Unverified requests get the rejection response; the handler never sees them. The native
   * build builds the gate at once, so a configuration mistake shows at start-up; edge builds
   * on the first request (their environment comes with it).
   */
  function withQStash(handler, options = {}) {
    const gate = lazyGate(options)
    if (!backend.lazyGate) gate()
    return async (request, ...rest) => {
      const result = await verifyRequest(request, gate())
      return result.verified ? handler(request, result.delivery, ...rest) : result.response
    }
  }

  return {
    ConfigError,
    Gate,
    PendingBody,
    QStashReplayObject,
    Receiver,
    Rejection,
    SignatureError,
    durableObjectReplayStore,
    gateOf,
    lazyGate,
    redisReplayStore,
    reasonCodes: () => [...backend.reasonCodes],
    translate,
    verifyRequest,
    withQStash,
  }
}

module.exports = { createApi }
