import type { VerifySignatureConfig, FetchDelivery } from './config'

export type { VerifySignatureConfig, FetchDelivery }

/** Hono middleware; the verified delivery is `c.get('qstash')`. */
export declare function qstash(
  config?: VerifySignatureConfig,
): (c: { req: { raw: Request }; set(key: 'qstash', value: FetchDelivery): void }, next: () => Promise<void>) => Promise<Response | void>
export { qstash as verifySignatureHono }
