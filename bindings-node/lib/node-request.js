'use strict'
// A Node `IncomingMessage` as the gate sees it, written once for every helper that gets one
// (Express, Fastify, Koa, the Next.js Pages Router, h3 on Node): its original target, its
// headers, its body read through a pending delivery, and a fetch `Request` over its unread body.

const { Readable } = require('node:stream')

/**
 * The target the request arrived with. Express and h3 keep it in `originalUrl` when a router
 * mounted under a prefix (`app.use('/api', …)`, Nitro's `baseURL`) rewrote `url`; QStash
 * signed the URL it delivered to, prefix included.
 */
function targetOf(req) {
  return req.originalUrl || req.url || '/'
}

/** A header of `req` by its lower-case name, as the gate reads it: Node keeps a few repeated
 * headers as arrays, joined here as Node joins the others (`", "`). */
function headerOf(req) {
  return (name) => {
    const value = req.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
}

/**
 * Reads `stream` (the request, or the payload stream a framework hands over) to its end
 * through `pending`, which stops it at the body limit. Resolves with the body bytes, or
 * rejects with the gate's `Rejection`: the one `pending.update` raised, or `unreadable()` when
 * the client went away. What is left of a refused body is drained, not read.
 */
function readThrough(stream, pending, unreadable) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    let finished = false
    const fail = (rejection) => {
      if (finished) return
      finished = true
      stream.removeAllListeners('data')
      stream.resume()
      reject(rejection)
    }
    stream.on('data', (chunk) => {
      if (finished) return
      try {
        pending.update(chunk)
      } catch (rejection) {
        return fail(rejection)
      }
      size += chunk.length
      chunks.push(chunk)
    })
    stream.on('end', () => {
      if (finished) return
      finished = true
      resolve(Buffer.concat(chunks, size))
    })
    stream.on('error', () => fail(unreadable()))
    stream.on('aborted', () => fail(unreadable()))
  })
}

/** The verified bytes as the next handler expects the body: parsed JSON for JSON content
 * types, text for `text/*`, else the `Buffer` (`parse`: `auto`, `json`, `text` or `raw`).
 * Throws when JSON was asked for and the bytes are not JSON. */
function parseBody(body, contentType, parse) {
  const type = String(contentType || '').split(';')[0].trim().toLowerCase()
  if (parse === 'raw') return body
  if (parse === 'json' || (parse === 'auto' && (type === 'application/json' || type.endsWith('+json')))) {
    return body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))
  }
  if (parse === 'text' || (parse === 'auto' && type.startsWith('text/'))) return body.toString('utf8')
  return body
}

/** `http://<Host>` when the `Host` header names a host, else `http://localhost`: the origin
 * only names the `Request`; the gate reads the target it is given, never this URL's host. */
function originOf(req) {
  const host = req.headers.host
  if (typeof host === 'string' && host !== '') {
    try {
      return new URL(`http://${host}`).origin
    } catch {
      // A Host that is not a host (`a b`, `example.com:99999`, `[::1`): any client can send one.
    }
  }
  return 'http://localhost'
}

/**
 * A fetch `Request` for `req`, its body streamed from the unread message. It never throws on
 * what a client sent: a malformed `Host` gives a placeholder origin, and the path is the
 * original target, not re-parsed.
 */
function toFetchRequest(req, { body = true } = {}) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    for (const line of Array.isArray(value) ? value : [value]) {
      if (line !== undefined) headers.append(name, line)
    }
  }
  const bodyless = !body || req.method === 'GET' || req.method === 'HEAD'
  return new Request(new URL('/', originOf(req)), {
    method: req.method,
    headers,
    body: bodyless ? undefined : Readable.toWeb(req),
    duplex: 'half',
  })
}

module.exports = { headerOf, parseBody, readThrough, targetOf, toFetchRequest }
