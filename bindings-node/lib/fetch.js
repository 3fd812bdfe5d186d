'use strict'
// fetch-API helper for Next.js App Router, Hono, Bun, Deno-style handlers.

const { Gate, Rejection } = require('./gate.js')
const { Receiver } = require('./qstash.js')

/**
 * Verifies a WHATWG `Request`. Resolves `{ verified: true, delivery }` (the body is consumed;
 * `delivery.body` holds the exact bytes, `delivery.text()` / `delivery.json()` decode them)
 * or `{ verified: false, reason, response }` with a ready 401/413/400 JSON `Response`.
 */
async function verifyRequest(request, options = {}) {
  const gate = options instanceof Gate ? options : new Gate(options)
  const header = (name) => request.headers.get(name) ?? undefined
  try {
    const url = new URL(request.url)
    const target = url.pathname + url.search
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
    const body = Buffer.concat(chunks, size)
    const delivery = await pending.finish(body)
    delivery.text = () => body.toString('utf8')
    delivery.json = () => JSON.parse(body.toString('utf8'))
    return { verified: true, delivery }
  } catch (error) {
    if (!(error instanceof Rejection)) throw error
    const response = new Response(error.body, { status: error.status, headers: error.headers })
    return { verified: false, reason: error.reason, response }
  }
}

/**
 * Wraps a fetch-style route handler: `export const POST = withQStash(async (req, delivery) => ...)`.
 * Unverified requests get the rejection response; the handler never sees them.
 */
function withQStash(handler, options = {}) {
  const gate = new Gate(options)
  return async (request, ...rest) => {
    const result = await verifyRequest(request, gate)
    return result.verified ? handler(request, result.delivery, ...rest) : result.response
  }
}

// `Gate` and `Receiver` too, so the framework helpers (`../frameworks/`) build theirs from
// whichever build (native or WebAssembly) this entry resolves to.
module.exports = { Gate, Receiver, verifyRequest, withQStash }
