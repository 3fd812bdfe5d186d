import type { VerifySignatureConfig } from './config'

export type { VerifySignatureConfig }

/** h3 event handler; the delivery is `event.context.qstash`. */
export declare function verifySignatureH3<E extends { context: Record<string, unknown> }>(
  handler: (event: E) => unknown,
  config?: VerifySignatureConfig,
): (event: E) => Promise<unknown>
