'use strict'
// Express middleware: verifies the delivery before the route handler runs.

const { Gate, Rejection } = require('./gate.js')

/**
 * `app.post('/api/qstash', qstashVerified(), handler)`: checks the token from the headers,
 * reads the raw body with a limit while hashing it, checks the hash, then sets `req.qstash`
 * (claims, raw body, delivery headers) and `req.body` (parsed JSON for JSON content types,
 * text for `text/*`, else the raw `Buffer`). Refusals answer 401/413/400 JSON; never 500.
 * Mount it before `express.json()` (or any body parser) on the route.
 */
function qstashVerified(options = {}) {
  const gate = new Gate(options)
  const parse = options.parse ?? 'auto'
  return function qstashVerifiedMiddleware(req, res, next) {
    const header = (name) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value[0] : value
    }
    const reject = (rejection) => {
      if (!(rejection instanceof Rejection)) return next(rejection)
      // Whatever of the body is left is not wanted; answering and closing is enough.
      res.status(rejection.status).set(rejection.headers).send(rejection.body)
    }
    // `originalUrl` keeps the prefix of routers mounted with `app.use('/v1', router)`.
    const target = req.originalUrl || req.url
    let pending
    try {
      pending = gate.verifyHead(header, target)
    } catch (error) {
      return reject(error)
    }
    const done = async (body) => {
      let delivery
      try {
        delivery = await pending.finish(body)
      } catch (error) {
        return reject(error)
      }
      req.qstash = delivery
      try {
        req.body = decode(body, req.headers['content-type'], parse)
      } catch {
        return reject(gate.unreadable(header, target))
      }
      next()
    }
    if (Buffer.isBuffer(req.rawBody)) {
      try {
        pending.update(req.rawBody)
      } catch (error) {
        return reject(error)
      }
      return done(req.rawBody)
    }
    // `req.complete` only says the parser has received the whole message (true after any
    // `await` in an earlier middleware); the body is gone only once it was read to its end
    // or a body parser took it.
    if (req.readableEnded || req._body === true) {
      // A body parser ran first and kept no raw bytes: nothing left to verify against.
      gate.logger?.error?.('qstashVerified must run before body parsers (express.json(), ...)')
      return reject(gate.unreadable(header, target))
    }
    const chunks = []
    let size = 0
    let finished = false
    const fail = (rejection) => {
      if (finished) return
      finished = true
      req.removeAllListeners('data')
      req.resume()
      reject(rejection)
    }
    req.on('data', (chunk) => {
      if (finished) return
      try {
        pending.update(chunk)
      } catch (rejection) {
        return fail(rejection)
      }
      size += chunk.length
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (finished) return
      finished = true
      done(Buffer.concat(chunks, size))
    })
    req.on('error', () => fail(gate.unreadable(header, target)))
    req.on('aborted', () => fail(gate.unreadable(header, target)))
  }
}

function decode(body, contentType, parse) {
  const type = String(contentType || '').split(';')[0].trim().toLowerCase()
  if (parse === 'raw') return body
  if (parse === 'json' || (parse === 'auto' && (type === 'application/json' || type.endsWith('+json')))) {
    return body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))
  }
  if (parse === 'text' || (parse === 'auto' && type.startsWith('text/'))) return body.toString('utf8')
  return body
}

module.exports = { qstashVerified }
