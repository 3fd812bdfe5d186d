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
export declare function verifyRequest(request: Request, options?: HelperOptions): Promise<VerifyResult>

/** Wraps a fetch-style handler so it only runs for verified deliveries. */
export declare function withQStash<Rest extends unknown[]>(
  handler: (request: Request, delivery: FetchDelivery, ...rest: Rest) => Response | Promise<Response>,
  options?: HelperOptions,
): (request: Request, ...rest: Rest) => Promise<Response>
