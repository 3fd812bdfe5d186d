// h3 (and Nuxt/Nitro): the export name and call signature of `@upstash/qstash/h3`, with the
// URL check, the body limit, reasons and never a 500. The verified bytes stay readable with
// h3's `readBody` / `readRawBody`; the delivery is `event.context.qstash`.
import { lazyGate, verifyNodeRequest, verifyRequest } from './gate.mjs'

/** The event's request as the gate reads it: the runtime's own web `Request` where h3 runs on
 * one (its URL is the one the request arrived with), else Node's message against its
 * original target (h3 strips the prefix of `app.use('/api', …)` and Nitro's `baseURL` from
 * `req.url` and keeps the original in `req.originalUrl`). */
function verifyEvent(event, gate) {
  if (event.web?.request) return verifyRequest(event.web.request, gate)
  if (typeof Request !== 'undefined' && event.req instanceof Request) return verifyRequest(event.req, gate)
  return verifyNodeRequest(event.node.req, gate)
}

/** `export default verifySignatureH3(async (event) => …)`. */
export function verifySignatureH3(handler, config) {
  const gate = lazyGate(config)
  const wrapped = async (event) => {
    const result = await verifyEvent(event, gate())
    if (!result.verified) return result.response
    // What h3's body readers return once the stream is consumed.
    event._requestBody = result.delivery.body
    event.context.qstash = result.delivery
    return handler(event)
  }
  // What h3's `defineEventHandler` marks, without importing h3 here.
  wrapped.__is_handler__ = true
  return wrapped
}
