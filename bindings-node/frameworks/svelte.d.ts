import type { VerifySignatureConfig } from './config'

export type { VerifySignatureConfig }

/** SvelteKit `RequestHandler`; the delivery is `event.locals.qstash`. */
export declare function verifySignatureSvelte<E extends { request: Request }>(
  handler: (event: E) => Response | Promise<Response>,
  config?: VerifySignatureConfig,
): (event: E) => Promise<Response>
