// Hono middleware: `app.post('/api/qstash', qstash(), (c) => c.json(c.get('qstash')))`.
// The official package has none; this one refuses with the gate's JSON answers (401, 413, 400, 503)
// and leaves the body readable (`await c.req.json()`) for the handler.
import { lazyGate, verifyCopy } from './gate.mjs'

/** Middleware verifying every request it sees; the delivery is `c.get('qstash')`. */
export function qstash(config = {}) {
  const gate = lazyGate(config)
  return async (c, next) => {
    const result = await verifyCopy(c.req.raw, gate())
    if (!result.verified) return result.response
    c.set('qstash', result.delivery)
    await next()
  }
}

export { qstash as verifySignatureHono }
