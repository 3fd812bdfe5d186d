// SvelteKit: the export name and call signature of `@upstash/qstash/svelte`, with the URL
// check, the body limit, reasons and never a 500. The handler can still read
// `event.request`; the delivery is `event.locals.qstash`.
import { lazyGate, verifyCopy } from './gate.mjs'

/** `export const POST = verifySignatureSvelte(async (event) => …)`. */
export function verifySignatureSvelte(handler, config) {
  const gate = lazyGate(config)
  return async (event) => {
    const result = await verifyCopy(event.request, gate())
    if (!result.verified) return result.response
    if (event.locals) event.locals.qstash = result.delivery
    return handler(event)
  }
}
