'use strict'
// A Node `IncomingMessage` as the gate sees it, written once for every helper that gets one
// (Express, the Next.js Pages Router, h3 on Node): its original target, and a fetch `Request`
// over its unread body.

const { Readable } = require('node:stream')

/**
 * The target the request arrived with. Express and h3 keep it in `originalUrl` when a router
 * mounted under a prefix (`app.use('/api', …)`, Nitro's `baseURL`) rewrote `url`; QStash
 * signed the URL it delivered to, prefix included.
 */
function targetOf(req) {
  return req.originalUrl || req.url || '/'
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

module.exports = { targetOf, toFetchRequest }
