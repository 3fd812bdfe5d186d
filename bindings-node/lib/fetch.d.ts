// fetch-API helpers (the native build, whose bodies are `Buffer`s; edge runtimes load the
// WebAssembly one, typed by `../wasm/index.d.ts`).
import type { Delivery as CoreDelivery, Gate, HelperOptions, RejectionReason } from './core'

export { Gate, Receiver, Rejection, type HelperOptions } from './core'

/** A verified delivery from a fetch `Request`, its body a `Buffer`. */
export type FetchDelivery = CoreDelivery<Buffer>
export type Delivery = FetchDelivery

export type VerifyResult =
  | { verified: true; delivery: FetchDelivery }
  | { verified: false; reason: RejectionReason; response: Response }

/** Verifies a WHATWG `Request` (consumes its body). */
export declare function verifyRequest(request: Request, options?: HelperOptions | Gate): Promise<VerifyResult>

/** Wraps a fetch-style handler so it only runs for verified deliveries. */
export declare function withQStash<Rest extends unknown[]>(
  handler: (request: Request, delivery: FetchDelivery, ...rest: Rest) => Response | Promise<Response>,
  options?: HelperOptions | Gate,
): (request: Request, ...rest: Rest) => Promise<Response>
