// The public API of `qstash-verify`. The request, claims and option shapes come from the
// napi-generated `../index.d.ts` (documented from the Rust sources).
import type {
  Claims,
  ReceiverConfig,
  RedisReplayOptions,
  SignOptions,
  SigningKeys,
  TokenRequest,
  VerifyOutcome,
  VerifyRequest,
} from '../index'

export type {
  Claims,
  ReceiverConfig,
  RedisReplayOptions,
  SignOptions,
  SigningKeys,
  TokenRequest,
  VerifyOutcome,
  VerifyRequest,
}

/** Replay protection shared by every process that uses the same Redis (Node cluster workers,
 * containers): pass it as the helpers' `replayGuard`. */
export { RedisReplayGuard } from '../index'

/** Default body limit of the Express and fetch helpers, in bytes (10 MiB). */
export declare const DEFAULT_BODY_LIMIT: number

/** The stable reason codes of a failed verification. */
export type SignatureErrorReason =
  | 'missing'
  | 'malformed'
  | 'signature'
  | 'issuer'
  | 'expired'
  | 'not_yet_valid'
  | 'subject'
  | 'body'
  | 'no_keys'

/** A delivery did not verify; `reason` says which rule failed. */
export declare class SignatureError extends Error {
  readonly name: 'SignatureError'
  readonly reason: SignatureErrorReason
  constructor(message: string, reason: SignatureErrorReason)
}

/** Keys that cannot build a receiver or signer (empty, the public development keys, bad regions, missing env). */
export declare class ConfigError extends Error {
  readonly name: 'ConfigError'
  readonly reason: 'config'
}

/** A token that verified, waiting for its body. */
export declare class PendingBody {
  /** The destination URL the verified token names. */
  readonly sub: string
  /** Hashes the next chunk of the body. */
  update(chunk: string | Uint8Array): void
  /** Checks the body hash; throws `SignatureError` (`body`). */
  finish(): Claims
}

/**
 * Drop-in for `@upstash/qstash`'s `Receiver`, verified natively.
 *
 * ```ts
 * const receiver = new Receiver({ currentSigningKey, nextSigningKey }) // or new Receiver(): env
 * await receiver.verify({ signature, body, url }) // true, or throws SignatureError
 * const claims = receiver.verifySync({ signature, body, url })
 * ```
 */
export declare class Receiver {
  /** Keys from `config`, else from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (and regions). */
  constructor(config?: ReceiverConfig | null)
  /** A receiver with the public local-development keys. */
  static dev(): Receiver
  /** Resolves `true`, or rejects with `SignatureError`. Bodies of 64 KiB and more are hashed off the event loop. */
  verify(request: VerifyRequest): Promise<true>
  /** Returns the claims, or throws `SignatureError`. */
  verifySync(request: VerifyRequest): Claims
  /** Verifies the token before the body is read; feed the body to the `PendingBody`. */
  verifyToken(request: TokenRequest): PendingBody
  /** Replaces the default key pair on this live receiver (rotation). */
  replaceKeys(currentSigningKey: string, nextSigningKey: string): void
  /** Keys print as `[REDACTED]`. */
  toString(): string
}

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
