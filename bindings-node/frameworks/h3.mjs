// h3 (and Nuxt/Nitro): the export name and call signature of `@upstash/qstash/h3`, with the
// URL check, the body limit, reasons and never a 500. The verified bytes stay readable with
// h3's `readBody` / `readRawBody`; the delivery is `event.context.qstash`.
import { lazyGate, verifyRequest } from './gate.mjs'

/** A web `Request` for the event: the runtime's own where h3 runs on one, else built from
 * Node's request stream. */
async function requestOf(event) {
  if (event.web?.request) return event.web.request
  if (typeof Request !== 'undefined' && event.req instanceof Request) return event.req
  const req = event.node.req
  const { Readable } = await import('node:stream')
  return new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([name, value]) =>
      Array.isArray(value) ? value.map((v) => [name, v]) : value === undefined ? [] : [[name, value]],
    ),
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req),
    duplex: 'half',
  })
}

/** `export default verifySignatureH3(async (event) => …)`. */
export function verifySignatureH3(handler, config) {
  const gate = lazyGate(config)
  const wrapped = async (event) => {
    const result = await verifyRequest(await requestOf(event), gate())
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
