// What every framework helper shares, on whichever build `qstash-verify/fetch` resolves to
// (native under Node, WebAssembly on edge runtimes): the gate built from the official helpers'
// config on the first request (`lazyGate`), and the two ways a request reaches it.
// @ts-expect-error: `lazyGate` is exported for these helpers, not part of the public types
import { lazyGate, verifyRequest } from 'qstash-verify/fetch'

export { lazyGate, verifyRequest }

/** Verifies a copy of `request`, so the handler can still read the original's body. */
export async function verifyCopy(request, gate) {
  return verifyRequest(request.clone(), gate)
}

/** Verifies a Node `IncomingMessage` against its original target, its body read from the
 * stream (or, when a body parser took it first, `parsed`, the bytes it kept, else refused as
 * unreadable with `howToMount` logged). Loaded only on this path: edge runtimes have no Node
 * streams. */
export async function verifyNodeRequest(req, gate, options = {}) {
  const { verifyMessage } = await import('../lib/node-request.js')
  return verifyMessage(req, gate, options)
}

/** A handler of `{ request, locals }` events (SvelteKit endpoints, SolidStart API routes)
 * that only runs for verified deliveries; the delivery is `event.locals.qstash`. */
export function verifiedEventHandler(handler, config) {
  const gate = lazyGate(config)
  return async (event) => {
    const result = await verifyCopy(event.request, gate())
    if (!result.verified) return result.response
    if (event.locals) event.locals.qstash = result.delivery
    return handler(event)
  }
}
