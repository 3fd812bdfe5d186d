import type { MiddlewareHandler } from 'hono'
import type { VerifySignatureConfig, FetchDelivery } from './config'

export type { VerifySignatureConfig, FetchDelivery }

/** What the middleware sets on the context: the verified delivery is `c.get('qstash')`. Route
 * handlers after `qstash()` in the same route see it typed; for `app.use(…, qstash())`, declare
 * it on the app: `new Hono<{ Variables: QStashVariables }>()`. */
export type QStashVariables = { qstash: FetchDelivery }

/** Hono middleware; the verified delivery is `c.get('qstash')`. */
export declare function qstash(config?: VerifySignatureConfig): MiddlewareHandler<{ Variables: QStashVariables }>
export { qstash as verifySignatureHono }
