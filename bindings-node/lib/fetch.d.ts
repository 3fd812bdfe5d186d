// fetch-API helpers (the native build, whose bodies are `Buffer`s; edge runtimes load the
// WebAssembly one, typed by `../wasm/index.d.ts`).
import type { FetchHelpers, FetchDelivery as CoreFetchDelivery, VerifyResult as CoreVerifyResult } from './core'

export {
  Gate,
  QStashReplayObject,
  Receiver,
  Rejection,
  durableObjectReplayStore,
  redisReplayStore,
  type HelperOptions,
  type Outcome,
  type ReplayStore,
} from './core'

/** A verified delivery from a fetch `Request`, its body a `Buffer`. */
export type FetchDelivery = CoreFetchDelivery<Buffer>
export type Delivery = FetchDelivery
export type VerifyResult = CoreVerifyResult<Buffer>

/** Verifies a WHATWG `Request` (consumes its body). */
export declare const verifyRequest: FetchHelpers<Buffer>['verifyRequest']

/** Wraps a fetch-style handler so it only runs for verified deliveries. */
export declare const withQStash: FetchHelpers<Buffer>['withQStash']
