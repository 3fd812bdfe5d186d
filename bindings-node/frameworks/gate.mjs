// What every framework helper shares, on whichever build `qstash-verify/fetch` resolves to
// (native under Node, WebAssembly on edge runtimes): the gate built from the official helpers'
// config on the first request (`lazyGate`), and the two ways a request reaches it.
import { lazyGate, verifyRequest } from 'qstash-verify/fetch'

export { lazyGate, verifyRequest }

/** Verifies a copy of `request`, so the handler can still read the original's body. */
export async function verifyCopy(request, gate) {
  return verifyRequest(request.clone(), gate)
}

/** Verifies a Node `IncomingMessage` whose body has not been read (or was parsed first, when
 * `parsed`, which the gate then refuses as a body that does not match), against its original
 * target. Loaded only on this path: edge runtimes have no `node:stream`. */
export async function verifyNodeRequest(req, gate, { parsed = false } = {}) {
  const { targetOf, toFetchRequest } = await import('../lib/node-request.js')
  return verifyRequest(toFetchRequest(req, { body: !parsed }), gate, targetOf(req))
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
