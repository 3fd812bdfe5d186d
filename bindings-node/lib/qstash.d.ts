// The public API of `qstash-verify` under Node: the API both builds share (`./core`) and what
// needs Node (the signer, Redis replay protection).
import type { SignOptions } from '../index'

export type {
  Claims,
  KeyPair,
  ReceiverConfig,
  RedisReplayOptions,
  SignOptions,
  TokenRequest,
  VerifyOutcome,
  VerifyRequest,
} from '../index'
export {
  ConfigError,
  PendingBody,
  Receiver,
  SignatureError,
  type RejectionReason,
  type SignatureErrorReason,
} from './core'

/** Replay protection shared by every process that uses the same Redis (Node cluster workers,
 * containers): pass it as the helpers' `replayGuard`. */
export { RedisReplayGuard } from '../index'

/** Default body limit of the helpers, in bytes (10 MiB). */
export declare const DEFAULT_BODY_LIMIT: number

/** Every reason code a `SignatureError` or a `Rejection` can carry (SPEC.md §3.2). */
export declare const REASON_CODES: ReadonlyArray<import('./core').RejectionReason>

/** Mints tokens shaped exactly like QStash's, for tests and local development. */
export declare class Signer {
  constructor(key: string)
  static dev(): Signer
  static devNext(): Signer
  sign(url: string, body: string | Uint8Array, options?: SignOptions | null): string
  toString(): string
}

/** The path and query of an absolute URL, or `null`. */
export declare function pathAndQueryOf(url: string): string | null
