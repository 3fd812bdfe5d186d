'use strict'
// The fetch helpers' byte moving, written once for both builds: the native one (`fetch.js`)
// and the WebAssembly one (`../wasm/api.mjs`). Each passes its `Gate`, its `Rejection` and how
// it joins body chunks (a `Buffer` under Node, a `Uint8Array` on the edge). No Node built-ins.

const decoder = new TextDecoder()

function fetchHelpers({ Gate, Rejection, concat, lazyGate = false }) {
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
      const body = concat(chunks, size)
      const delivery = await pending.finish(body)
      delivery.text = () => decoder.decode(body)
      delivery.json = () => JSON.parse(decoder.decode(body))
      return { verified: true, delivery }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      const response = new Response(error.body, { status: error.status, headers: error.headers })
      return { verified: false, reason: error.reason, response }
    }
  }

  /**
   * Wraps a fetch-style route handler: `export const POST = withQStash(async (req, delivery) => ...)`.
   * Unverified requests get the rejection response; the handler never sees them. With
   * `lazyGate` the gate is built on the first request (edge runtimes hand over their
   * environment only then); otherwise at once, so a configuration mistake shows at start-up.
   */
  function withQStash(handler, options = {}) {
    let gate = lazyGate ? undefined : options instanceof Gate ? options : new Gate(options)
    return async (request, ...rest) => {
      gate ??= options instanceof Gate ? options : new Gate(options)
      const result = await verifyRequest(request, gate)
      return result.verified ? handler(request, result.delivery, ...rest) : result.response
    }
  }

  return { verifyRequest, withQStash }
}

module.exports = { fetchHelpers }
