// The WebAssembly build of `qstash-verify` (workerd, Vercel Edge, Deno, browsers, and
// `qstash-verify/wasm` anywhere): the API both builds share, minus what needs Node (the Express
// helper, Redis replay protection, the signer, `verifyToken`).
export {
  ConfigError,
  Gate,
  QStashReplayObject,
  Receiver,
  Rejection,
  SignatureError,
  durableObjectReplayStore,
  redisReplayStore,
  verifyRequest,
  withQStash,
  type Claims,
  type Delivery,
  type FetchDelivery,
  type HelperOptions,
  type RejectionReason,
  type ReplayStore,
  type SignatureErrorReason,
  type VerifyRequest,
  type VerifyResult,
} from '../lib/core'

/** Every reason code a `SignatureError` or a `Rejection` can carry. */
export declare function reasonCodes(): Array<import('../lib/core').RejectionReason>

/** Which build this is. */
export declare const build: 'wasm'
