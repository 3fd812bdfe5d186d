// The API both builds share (`core.js`): the native one (`qstash-verify`, `/fetch`,
// `/express`) and the WebAssembly one (`qstash-verify/wasm` and the edge conditions). The
// request and claims shapes come from the napi-generated `../index.d.ts`, documented from the
// Rust sources.
import type { Claims, RedisReplayGuard, VerifyRequest } from '../index'

/**
 * The stable reason codes of a failed verification (SPEC.md §3.2). `test/types.test.mjs`
 * checks this union against the gate's own list.
 */
export type SignatureErrorReason =
  | 'missing'
  | 'malformed'
  | 'no_keys'
  | 'signature'
  | 'issuer'
  | 'expired'
  | 'not_yet_valid'
  | 'subject'
  | 'body'
  | 'replayed'

/** Every reason code a refused request can carry: a verification's, and the HTTP ones. */
export type RejectionReason = SignatureErrorReason | 'replay_store_unavailable' | 'payload_too_large' | 'unreadable_body'

/** A delivery did not verify; `reason` says which rule failed. */
export declare class SignatureError extends Error {
  readonly name: 'SignatureError'
  readonly reason: SignatureErrorReason
  constructor(message: string, reason: SignatureErrorReason)
}

/** Keys or options that cannot work: empty keys, the public development keys, bad regions, a
 * missing environment variable, a number out of range. */
export declare class ConfigError extends RangeError {
  readonly name: 'ConfigError'
  readonly reason: 'config'
}

/** A token that verified, waiting for its body (native build). */
export declare class PendingBody {
  /** The destination URL the verified token names. */
  readonly sub: string
  /** Hashes the next chunk of the body. */
  update(chunk: string | Uint8Array): void
  /** Checks the body hash; throws `SignatureError` (`body`). */
  finish(): Claims
}

/** The official helpers' receiver config, as `new Receiver(config)` takes it. */
export type { ReceiverConfig } from '../index'

/**
 * Drop-in for `@upstash/qstash`'s `Receiver`.
 *
 * ```ts
 * const receiver = new Receiver({ currentSigningKey, nextSigningKey }) // or new Receiver(): env
 * await receiver.verify({ signature, body, url }) // true, or throws SignatureError
 * const claims = receiver.verifySync({ signature, body, url })
 * ```
 */
export declare class Receiver {
  /** Keys from `config`, else from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (and regions). */
  constructor(config?: import('../index').ReceiverConfig | null)
  /** A receiver with the public local-development keys. */
  static dev(): Receiver
  /** Resolves `true`, or rejects with `SignatureError`. */
  verify(request: VerifyRequest): Promise<true>
  /** Returns the claims, or throws `SignatureError`. */
  verifySync(request: VerifyRequest): Claims
  /** Verifies the token before the body is read; feed the body to the `PendingBody` (native build). */
  verifyToken(request: import('../index').TokenRequest): PendingBody
  /** Replaces the default key pair on this live receiver (rotation). */
  replaceKeys(currentSigningKey: string, nextSigningKey: string): void
  /** Keys print as `[REDACTED]`. */
  toString(): string
}

/** Options of every helper and of `new Gate(options)`, checked by the gate. */
/** A logger method: the level refusals are logged at. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

export interface HelperOptions {
  /** The receiver; default `new Receiver()` (keys from the environment). */
  receiver?: Receiver
  /** Compare `sub` with this exact URL. */
  url?: string
  /** Compare `sub` with this public origin + the request's path and query. */
  publicBase?: string
  /**
   * Rebuild the URL from the one proxy header family your proxy sets: `'x-forwarded'`
   * (`X-Forwarded-Proto` and `X-Forwarded-Host`: nginx, Vercel, Traefik) or `'forwarded'`
   * (RFC 7239). Only that family is read, from the element your proxy appended.
   */
  forwarded?: 'x-forwarded' | 'forwarded'
  /** How many trusted proxies append to the forwarded headers (default 1). */
  trustedProxies?: number
  /**
   * `false` skips the URL check. By default the token's path and query must be the request's:
   * that works behind any proxy, but accepts any token of the account with the same path and
   * query whatever host it was minted for; behind a known hostname prefer `publicBase`.
   */
  checkUrl?: boolean
  /** Largest body accepted, in bytes (default 10 MiB); larger bodies get 413. */
  bodyLimit?: number
  /**
   * Refuse a token already accepted by any process sharing this Redis (401 `replayed`); 503
   * when Redis cannot answer (native build). `new Receiver({ replayProtection: true })` does
   * it per process.
   */
  replayGuard?: RedisReplayGuard
  /**
   * Refuse a token already accepted, through an asynchronous store of the platform's (every
   * build, edge runtimes included): `durableObjectReplayStore`, `redisReplayStore`, or any
   * `{ claim(id, ttlSeconds) }`. Asked last, after everything else verified; 503 when it
   * cannot answer within `timeoutMs` unless `failOpen`.
   */
  replayStore?: ReplayStore
  /**
   * Where refusals are logged; `null` for nowhere. Default `console`. Each refusal is written
   * with the method `logLevel` names.
   */
  logger?: Partial<Record<LogLevel, (message: string) => void>> | null
  /** The logger method refusals are written with (default `'warn'`). */
  logLevel?: LogLevel
  /**
   * Called once per delivery with how it ended (SPEC.md §7.8). With `@opentelemetry/api`
   * installed (native build), outcomes are also counted in `qstash.deliveries`.
   */
  onOutcome?: (outcome: Outcome) => void
}

/** How one delivery ended; every field but `messageId` is from a fixed set (safe as a label). */
export interface Outcome {
  outcome: 'accepted' | 'rejected'
  /** A reason code (`signature`, `expired`, `replayed`, …), `none` when accepted. */
  reason: RejectionReason | 'none'
  /** `next` once QStash signs with the key a rotation makes current; `none` when rejected. */
  key: 'current' | 'next' | 'none'
  /** The configured region whose keys verified it, `default`, or `none` when rejected. */
  region: string
  /** `Upstash-Message-Id` as sent (unsigned), `null` when absent. */
  messageId: string | null
}

/** A refused request, ready to answer with. */
export declare class Rejection extends Error {
  readonly status: 401 | 413 | 400 | 503
  readonly reason: RejectionReason
  readonly error: string
  readonly body: string
  readonly headers: Record<string, string>
  readonly logMessage: string
}

/** Checks deliveries for one endpoint; build it once and pass it to the helpers instead of options. */
export declare class Gate {
  constructor(options?: HelperOptions)
  /** The largest body accepted, in bytes. */
  readonly bodyLimit: number
}

/** A verified delivery. */
export interface Delivery<B extends Uint8Array = Uint8Array> {
  claims: Claims
  /** The exact body bytes QStash signed. */
  body: B
  messageId: string | null
  retried: number | null
  region: string | null
  scheduleId: string | null
  topicName: string | null
  /** The body as UTF-8 text. */
  text(): string
  /** The body parsed as JSON. */
  json<T = unknown>(): T
  /** The body read as the callback or failure callback QStash sent, both bodies decoded;
   * throws when this delivery is not a callback. */
  callback(): Callback<B>
}

/** What QStash reports after a delivery, or after its last failed retry (`dlqId` set). */
export interface Callback<B extends Uint8Array = Uint8Array> {
  /** The HTTP status the destination answered with (0 when it could not be reached). */
  status: number
  /** The destination's response headers: each name with its values. */
  header: Record<string, string[]>
  /** The destination's response body. */
  body: B
  retried: number
  maxRetries: number | null
  /** The id of the message this callback reports on. */
  sourceMessageId: string
  url: string | null
  method: string | null
  /** The headers and body the message was published with. */
  sourceHeader: Record<string, string[]>
  sourceBody: B
  topicName: string | null
  endpointName: string | null
  scheduleId: string | null
  /** The dead-letter-queue entry: set on failure callbacks. */
  dlqId: string | null
  callerIp: string | null
  /** Unix milliseconds. */
  notBefore: number | null
  createdAt: number | null
}

/** A verified delivery from a fetch `Request` (the native build's body is a `Buffer`). */
export type FetchDelivery<B extends Uint8Array = Uint8Array> = Delivery<B>

export type VerifyResult<B extends Uint8Array = Uint8Array> =
  | { verified: true; delivery: FetchDelivery<B> }
  | { verified: false; reason: RejectionReason; response: Response }

/** The fetch helpers, whose deliveries carry bodies of type `B`. */
export interface FetchHelpers<B extends Uint8Array> {
  /** Verifies a WHATWG `Request` (consumes its body). */
  verifyRequest(request: Request, options?: HelperOptions | Gate): Promise<VerifyResult<B>>
  /** Wraps a fetch-style handler so it only runs for verified deliveries. */
  withQStash<Rest extends unknown[]>(
    handler: (request: Request, delivery: FetchDelivery<B>, ...rest: Rest) => Response | Promise<Response>,
    options?: HelperOptions | Gate,
  ): (request: Request, ...rest: Rest) => Promise<Response>
}

/** Verifies a WHATWG `Request` (consumes its body). */
export declare const verifyRequest: FetchHelpers<Uint8Array>['verifyRequest']

/** Wraps a fetch-style handler so it only runs for verified deliveries. */
export declare const withQStash: FetchHelpers<Uint8Array>['withQStash']

export type { Claims, VerifyRequest }

/** An asynchronous replay store: `claim` resolves `true` when `id` was not claimed before
 * (and remembers it for `ttlSeconds`), `false` when it was (a replay). */
export interface ReplayStore {
  claim(id: string, ttlSeconds: number): Promise<boolean>
  /** How long to wait for `claim`, in milliseconds (default 1000, at most an hour). */
  timeoutMs?: number
  /** Accept a delivery when the store cannot answer (logged) instead of refusing it with 503. */
  failOpen?: boolean
}

/** Options of the ready-made stores. */
export interface ReplayStoreOptions {
  timeoutMs?: number
  failOpen?: boolean
}

/** The namespace of a Durable Object binding, as much of it as the store uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown
  get(id: any): { fetch(input: string, init?: RequestInit): Promise<Response> }
}

/** A replay store on Cloudflare Durable Objects bound to `QStashReplayObject` (one object per
 * token id, remembering it until the token expires). */
export declare function durableObjectReplayStore(namespace: DurableObjectNamespaceLike, options?: ReplayStoreOptions): ReplayStore

/** The Durable Object class of `durableObjectReplayStore`: export it from your Worker. */
export declare class QStashReplayObject {
  constructor(state: { storage: { get(key: string): Promise<unknown>; put(key: string, value: unknown): Promise<void>; setAlarm(at: number): Promise<void>; deleteAll(): Promise<void> } }, env?: unknown)
  fetch(request: Request): Promise<Response>
  alarm(): Promise<void>
}

/** A replay store on Redis over HTTP through an `@upstash/redis` client (each claim is its
 * `set(key, 1, { nx: true, px })`); keys prefixed with `qstash:jti:` unless `prefix` says. */
export declare function redisReplayStore(
  redis: { set(key: string, value: number, options: { nx: true; px: number }): Promise<unknown> },
  options?: ReplayStoreOptions & { prefix?: string },
): ReplayStore
