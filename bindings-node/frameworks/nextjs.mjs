// Next.js: the export names and call signatures of `@upstash/qstash/nextjs`, with the URL
// check, the body limit, reasons and never a 500. Migrating is a one-line import change.
import { lazyGate, verifyCopy, verifyNodeRequest } from './gate.mjs'

/** App Router route handler: `export const POST = verifySignatureAppRouter(async (req) => …)`. */
export function verifySignatureAppRouter(handler, config) {
  const gate = lazyGate(config)
  return async (request, params) => {
    const result = await verifyCopy(request, gate())
    return result.verified ? handler(request, params) : result.response
  }
}

/** Edge route or middleware: `(request, event)`. */
export function verifySignatureEdge(handler, config) {
  const gate = lazyGate(config)
  return async (request, event) => {
    const result = await verifyCopy(request, gate())
    return result.verified ? handler(request, event) : result.response
  }
}

/** What to log when Next.js parsed the body before the helper could read its bytes. */
const PARSED_FIRST =
  'QStash: the body was parsed before verification, so its bytes cannot be verified: set ' +
  '`export const config = { api: { bodyParser: false } }` in this API route'

/**
 * Pages Router API route (`pages/api/…`), with `export const config = { api: { bodyParser:
 * false } }` as the official helper needs too: the signed bytes are read from the request
 * stream. `req.body` is then the parsed JSON (for `application/json`) or the text.
 */
export function verifySignature(handler, config) {
  const gate = lazyGate(config)
  return async (req, res) => {
    const parsed = req.body !== undefined && req.readableEnded
    const result = await verifyNodeRequest(req, gate(), { parsed, howToMount: PARSED_FIRST })
    if (!result.verified) {
      res.statusCode = result.response.status
      for (const [name, value] of result.response.headers) res.setHeader(name, value)
      res.end(await result.response.text())
      return
    }
    const text = result.delivery.text()
    try {
      req.body = (req.headers['content-type'] ?? '').startsWith('application/json') ? JSON.parse(text) : text
    } catch {
      req.body = text
    }
    req.qstash = result.delivery
    return handler(req, res)
  }
}
