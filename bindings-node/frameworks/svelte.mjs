// SvelteKit: the export name and call signature of `@upstash/qstash/svelte`, with the URL
// check, the body limit, reasons and never a 500. The handler can still read
// `event.request`; the delivery is `event.locals.qstash`.
import { verifiedEventHandler } from './gate.mjs'

/** `export const POST = verifySignatureSvelte(async (event) => …)`. */
export function verifySignatureSvelte(handler, config) {
  return verifiedEventHandler(handler, config)
}
