'use strict'
// A Node `IncomingMessage` as the gate sees it, written once for every helper that gets one
// (Express, Fastify, Koa, the Next.js Pages Router, h3 on Node): its original target, its
// headers, its body read through a pending delivery (or kept by a body parser that ran first).

// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')

const { Rejection } = api

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

/** The exact bytes a body parser that ran before the helper kept: `rawBody` (the `verify`
 * option of `express.json()`, koa-bodyparser's `ctx.request.rawBody`), or a parsed body that
 * is itself the bytes (`express.raw()`) once the stream was consumed. */
function keptBytes(rawBody, parsedBody, consumed) {
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8')
  if (consumed && parsedBody instanceof Uint8Array) {
    return Buffer.from(parsedBody.buffer, parsedBody.byteOffset, parsedBody.byteLength)
  }
  return undefined
}

/**
 * The body of a Node request through `pending`, wherever it is now: the bytes a body parser
 * that ran first kept (`rawBody`, `parsedBody`), else the unread stream read to its end. When
 * a parser took the stream and kept nothing, no bytes are left to verify: it rejects with
 * `unreadable()` after logging `howToMount` at error level, rather than waiting for a stream
 * that already ended. `req.complete` only says the parser has received the whole message
 * (true after any `await` in an earlier middleware); the body is gone only once it was read
 * to its end or a body parser took it.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {{ update(chunk: Uint8Array): void }} pending
 * @param {{ rawBody?: unknown, parsedBody?: unknown, unreadable: () => Error, logger?: { error?: (line: string) => void } | null, howToMount: string }} where
 * @returns {Promise<Buffer>}
 */
async function bodyThrough(req, pending, { rawBody, parsedBody, unreadable, logger, howToMount }) {
  // `_body`: body-parser's mark on a request whose body it read (Express's parsers).
  const consumed = req.readableEnded || /** @type {{ _body?: boolean }} */ (req)._body === true || rawBody !== undefined
  const kept = keptBytes(rawBody, parsedBody, consumed)
  if (kept) {
    pending.update(kept)
    return kept
  }
  if (consumed) {
    logger?.error?.(howToMount)
    throw unreadable()
  }
  return readThrough(req, pending, unreadable)
}

/** The verified bytes as the next handler expects the body: parsed JSON for JSON content
 * types, text for `text/*`, else the `Buffer` (`parse`: `auto`, `json`, `text` or `raw`).
 * Throws when JSON was asked for and the bytes are not JSON. */
function parseBody(body, contentType, parse) {
  const type = String(contentType || '')
    .split(';')[0]
    .trim()
    .toLowerCase()
  if (parse === 'raw') return body
  if (parse === 'json' || (parse === 'auto' && (type === 'application/json' || type.endsWith('+json')))) {
    return body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))
  }
  if (parse === 'text' || (parse === 'auto' && type.startsWith('text/'))) return body.toString('utf8')
  return body
}

/**
 * Verifies a Node message (the Next.js Pages Router, h3 on Node) against its original target,
 * its body read from the stream through `gate` as Express reads it; `parsed`: a body parser
 * took the stream first (refused as unreadable, logged with how to turn it off). Resolves as
 * the fetch helper's `verifyRequest` does: `{ verified: true, delivery }` or
 * `{ verified: false, reason, response }`. A body refused past its limit stops being read
 * and is drained, so nothing is left to write into (Node's web stream adapter threw, and
 * ended the process, when data kept arriving after a refusal).
 *
 * @returns {Promise<import('./core').VerifyResult<Buffer>>}
 */
async function verifyMessage(req, gate, { parsed = false, howToMount = '' } = {}) {
  const header = headerOf(req)
  const target = targetOf(req)
  const unreadable = () => gate.unreadable(header, target)
  try {
    const pending = gate.verifyHead(header, target)
    const body = parsed
      ? await bodyThrough(req, pending, { rawBody: req.rawBody, unreadable, logger: gate.logger, howToMount })
      : await readThrough(req, pending, unreadable)
    return { verified: true, delivery: await pending.finish(body) }
  } catch (error) {
    if (!(error instanceof Rejection)) throw error
    const response = new Response(error.body, { status: error.status, headers: error.headers })
    return { verified: false, reason: error.reason, response }
  }
}

module.exports = { bodyThrough, headerOf, parseBody, readThrough, targetOf, verifyMessage }
