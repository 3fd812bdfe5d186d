'use strict'
// Koa: a middleware that verifies the delivery before the next one runs.

// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')
const { bodyThrough, headerOf, parseBody } = require('./node-request.js')

const { Rejection, gateOf } = api

/** What to log when a body parser ran first and kept no bytes to verify. */
const PARSED_FIRST =
  'QStash: the body was parsed before qstashVerified() and no raw bytes were kept, so it cannot be verified: ' +
  'mount qstashVerified() before the body parser (router.post(path, qstashVerified(), handler) ahead of ' +
  'app.use(bodyParser())), or use a parser that keeps them in ctx.request.rawBody (koa-bodyparser, @koa/bodyparser)'

/**
 * `router.post('/api/qstash', qstashVerified(), handler)` or `app.use(qstashVerified())`:
 * checks the token from the headers, reads the raw body with a limit while hashing it, checks
 * the hash, then sets `ctx.state.qstash` and `ctx.request.body` (parsed JSON for JSON content
 * types, text for `text/*`, else the raw `Buffer`; body parsers after it leave it as it is).
 * Refusals answer with the gate's status and JSON; never 500. After a body parser that ran
 * first (`app.use(bodyParser())` at the top), the bytes it kept in `ctx.request.rawBody` are
 * what is verified; a parser that kept none is answered 400 and logged with how to mount it.
 */
function qstashVerified(options = {}) {
  const gate = gateOf(options)
  const parse = options.parse ?? 'auto'
  return async function qstashVerifiedMiddleware(ctx, next) {
    const header = headerOf(ctx.req)
    // `ctx.originalUrl` is the URL the request arrived with, before a mounted app or a router
    // prefix rewrote `ctx.url`.
    const target = ctx.originalUrl || ctx.req.url || '/'
    let delivery
    try {
      const pending = gate.verifyHead(header, target)
      const unreadable = () => gate.unreadable(header, target)
      const where = {
        rawBody: ctx.request.rawBody,
        parsedBody: ctx.request.body,
        unreadable,
        logger: gate.logger,
        howToMount: PARSED_FIRST,
      }
      const body = await bodyThrough(ctx.req, pending, where)
      delivery = await pending.finish(body)
      try {
        ctx.request.body = parseBody(body, ctx.get('content-type'), parse)
      } catch {
        throw gate.unreadable(header, target)
      }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      ctx.status = error.status
      ctx.set(error.headers)
      ctx.body = error.body
      return
    }
    ctx.request.rawBody = delivery.body
    ctx.state.qstash = delivery
    await next()
  }
}

module.exports = { qstashVerified }
