// SolidStart: the export name and call signature of `@upstash/qstash/solidjs`, with the URL
// check, the body limit, reasons and never a 500. The handler can still read `event.request`;
// the delivery is `event.locals.qstash`.
import { verifiedEventHandler } from './gate.mjs'

/** `export const POST = verifySignatureSolidjs(async (event) => …)`. */
export function verifySignatureSolidjs(handler, config) {
  return verifiedEventHandler(handler, config)
}
