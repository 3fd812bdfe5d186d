'use strict'
// Express middleware: verifies the delivery before the route handler runs.

// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')
const { bodyThrough, headerOf, parseBody, targetOf } = require('./node-request.js')

const { Rejection, gateOf } = api

/** What to log when a body parser ran first and kept no bytes to verify. */
const PARSED_FIRST =
  'QStash: the body was parsed before qstashVerified() and no raw bytes were kept, so it cannot be verified: ' +
  "mount qstashVerified() before body parsers, or keep the bytes with express.raw({ type: '*/*' }) " +
  'or express.json({ verify: (req, res, buf) => { req.rawBody = buf } })'

/**
 * `app.post('/api/qstash', qstashVerified(), handler)`: checks the token from the headers,
 * reads the raw body with a limit while hashing it, checks the hash, then sets `req.qstash`
 * (claims, raw body, delivery headers) and `req.body` (parsed JSON for JSON content types,
 * text for `text/*`, else the raw `Buffer`). Refusals answer with the gate's status and JSON;
 * never 500. Mount it before body parsers, or after one that keeps the raw bytes.
 */
function qstashVerified(options = {}) {
  const gate = gateOf(options)
  const parse = options.parse ?? 'auto'
  return function qstashVerifiedMiddleware(req, res, next) {
    const header = headerOf(req)
    const reject = (rejection) => {
      if (!(rejection instanceof Rejection)) return next(rejection)
      // Whatever of the body is left is not wanted; answering and closing is enough.
      res.status(rejection.status).set(rejection.headers).send(rejection.body)
    }
    const target = targetOf(req)
    let pending
    try {
      pending = gate.verifyHead(header, target)
    } catch (error) {
      return reject(error)
    }
    /** The hash of everything fed to `pending`, the replay check, then the handler. */
    const done = async (body) => {
      let delivery
      try {
        delivery = await pending.finish(body)
      } catch (error) {
        return reject(error)
      }
      req.qstash = delivery
      try {
        req.body = parseBody(body, req.headers['content-type'], parse)
      } catch {
        return reject(gate.unreadable(header, target))
      }
      next()
    }
    const unreadable = () => gate.unreadable(header, target)
    const where = { rawBody: req.rawBody, parsedBody: req.body, unreadable, logger: gate.logger, howToMount: PARSED_FIRST }
    bodyThrough(req, pending, where).then(done, reject)
  }
}

module.exports = { qstashVerified }
