'use strict'
// Fastify: a `preParsing` hook that verifies the delivery from the raw payload stream before
// Fastify's content-type parsers run, then hands them the verified bytes.

const { Readable } = require('node:stream')
// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')
const { headerOf, readThrough } = require('./node-request.js')

const { ConfigError, Rejection, gateOf } = api

/**
 * `app.post('/api/qstash', { preParsing: qstashVerified() }, handler)`, or
 * `app.addHook('preParsing', qstashVerified())` for every route of a plugin's scope: checks the
 * token from the headers, reads the raw payload with a limit while hashing it, checks the
 * hash, then sets `request.qstash` and lets Fastify parse the same bytes into `request.body`.
 * Refusals answer with the gate's status and JSON; never 500.
 */
function qstashVerified(options = {}) {
  const gate = gateOf(options)
  return async function qstashPreParsing(request, reply, payload) {
    const header = headerOf(request.raw)
    // `request.url` is the URL the request arrived with, a plugin's prefix included.
    const target = request.raw.url || '/'
    try {
      const pending = gate.verifyHead(header, target)
      const body = await readThrough(payload, pending, () => gate.unreadable(header, target))
      request.qstash = await pending.finish(body)
      const verified = Readable.from(body.length > 0 ? [body] : [])
      // Fastify checks its own body limit against what was received on the wire.
      // @ts-expect-error: Fastify's own field on the payload stream, which its types do not declare
      verified.receivedEncodedLength = payload.receivedEncodedLength ?? body.length
      return verified
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      return reply.code(error.status).headers(error.headers).send(error.body)
    }
  }
}

/** What the plugin says when it is registered where it would guard every route. */
const AT_THE_ROOT =
  'fastifyQStash registered on the root instance would guard every route of the app (GET /health too): ' +
  'register it inside the plugin that holds the webhook routes, ' +
  "app.register(async (webhooks) => { await webhooks.register(fastifyQStash); webhooks.post('/api/qstash', handler) }), " +
  "or guard one route with app.post('/api/qstash', { preParsing: qstashVerified() }, handler)"

/** A Fastify plugin: `webhooks.register(fastifyQStash, options)` inside the plugin that holds
 * the webhook routes guards the routes of that scope (registered before or after it), and
 * only those. On the root instance it refuses to load: it would guard every route. */
async function fastifyQStash(instance, options) {
  // Fastify makes every encapsulated scope with `Object.create(parent)`; only the root
  // instance is a plain object.
  if (Object.getPrototypeOf(instance) === Object.prototype) throw new ConfigError(AT_THE_ROOT)
  instance.decorateRequest('qstash', null)
  instance.addHook('preParsing', qstashVerified(options))
}
// The hook applies to the scope the plugin is registered in (not a scope of its own, which
// holds no routes): Fastify's `skip-override`, as `fastify-plugin` sets it.
fastifyQStash[Symbol.for('skip-override')] = true

module.exports = { fastifyQStash, qstashVerified }
