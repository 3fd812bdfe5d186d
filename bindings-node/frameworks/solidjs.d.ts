import type { VerifySignatureConfig } from './config'

export type { VerifySignatureConfig }

/** SolidStart API handler; the delivery is `event.locals.qstash`. */
export declare function verifySignatureSolidjs<E extends { request: Request }>(
  handler: (event: E) => Response | Promise<Response>,
  config?: VerifySignatureConfig,
): (event: E) => Promise<Response>
