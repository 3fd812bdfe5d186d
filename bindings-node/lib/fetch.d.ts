import type { Delivery, HelperOptions } from './express'

export type { Delivery, HelperOptions }

/** A verified delivery from a fetch `Request`, with decoders for its body. */
export interface FetchDelivery extends Delivery {
  text(): string
  json<T = unknown>(): T
}

export type VerifyResult =
  | { verified: true; delivery: FetchDelivery }
  | { verified: false; reason: string; response: Response }

/** Verifies a WHATWG `Request` (consumes its body). */
export declare function verifyRequest(request: Request, options?: HelperOptions | Gate): Promise<VerifyResult>

/** Wraps a fetch-style handler so it only runs for verified deliveries. */
export declare function withQStash<Rest extends unknown[]>(
  handler: (request: Request, delivery: FetchDelivery, ...rest: Rest) => Response | Promise<Response>,
  options?: HelperOptions | Gate,
): (request: Request, ...rest: Rest) => Promise<Response>

/** The receiver class of the build this entry resolved to (native under Node). */
export { Receiver } from './qstash'

/** Checks deliveries for one endpoint; build it once and pass it instead of options. */
export declare class Gate {
  constructor(options?: HelperOptions)
}
