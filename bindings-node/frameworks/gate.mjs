// What every framework helper shares: the gate built once from the official helpers' config
// (`currentSigningKey`, `nextSigningKey`, `clockTolerance`, `devMode`, `url`) plus qstash-verify's
// own options, on whichever build `qstash-verify/fetch` resolves to (native under Node,
// WebAssembly on edge runtimes).
import { Gate, Receiver, verifyRequest } from 'qstash-verify/fetch'

export { verifyRequest }

/** A function returning the gate, built on the first request (workerd and Vercel Edge set
 * the environment per request, and a module-level throw would break the whole route file). */
export function lazyGate(config = {}) {
  let gate
  return () => (gate ??= gateOf(config))
}

function gateOf(config) {
  if (config instanceof Gate) return config
  const { currentSigningKey, nextSigningKey, clockTolerance, devMode, receiver, ...options } = config
  const keys = currentSigningKey !== undefined || nextSigningKey !== undefined || devMode || clockTolerance !== undefined
  return new Gate({
    ...options,
    receiver: receiver ?? (keys ? new Receiver({ currentSigningKey, nextSigningKey, devMode, clockTolerance }) : undefined),
  })
}

/** Verifies a copy of `request`, so the handler can still read the original's body. */
export async function verifyCopy(request, gate) {
  return verifyRequest(request.clone(), gate)
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
