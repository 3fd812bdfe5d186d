import type { VerifySignatureConfig } from './config'

export type { VerifySignatureConfig }

/** App Router route handler. */
export declare function verifySignatureAppRouter<R extends Request, P = unknown>(
  handler: (request: R, params?: P) => Response | Promise<Response>,
  config?: VerifySignatureConfig,
): (request: R, params?: P) => Promise<Response>

/** Edge route or middleware. */
export declare function verifySignatureEdge<R extends Request, E = unknown>(
  handler: (request: R, event?: E) => Response | Promise<Response>,
  config?: VerifySignatureConfig,
): (request: R, event?: E) => Promise<Response>

/** Pages Router API route (needs `export const config = { api: { bodyParser: false } }`). */
export declare function verifySignature<Req, Res>(
  handler: (req: Req, res: Res) => unknown,
  config?: VerifySignatureConfig,
): (req: Req, res: Res) => Promise<unknown>
