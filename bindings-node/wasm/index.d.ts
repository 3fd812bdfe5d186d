// The WebAssembly build of `qstash-verify` (workerd, Vercel Edge, Deno, browsers, and
// `qstash-verify/wasm` anywhere): the same `Receiver`, errors and fetch helpers as the native
// build, minus what needs Node (the Express helper, Redis replay protection, the signer).

/** The verified claims of a delivery. */
export interface Claims {
  iss: string
  sub: string
  jti: string | null
  exp: number
  nbf: number
  iat: number | null
  key: 'current' | 'next'
  region: string | null
}

export interface SigningKeys {
  currentSigningKey: string
  nextSigningKey: string
}

export interface ReceiverConfig {
  currentSigningKey?: string
  nextSigningKey?: string
  /** The public local-development keys. */
  devMode?: boolean
  /** Key pairs per region, picked by `upstashRegion`. */
  regions?: Record<string, SigningKeys>
  /** Seconds of clock difference accepted when a request sets none. */
  clockTolerance?: number
}

export interface VerifyRequest {
  signature: string | null | undefined
  body: string | Uint8Array | ArrayBuffer
  url?: string | null
  clockTolerance?: number | null
  upstashRegion?: string | null
  /** Unix seconds to verify at (default now). */
  now?: number
}

export type SignatureErrorReason =
  | 'missing' | 'malformed' | 'signature' | 'issuer' | 'expired' | 'not_yet_valid' | 'subject' | 'body' | 'no_keys'

export declare class SignatureError extends Error {
  readonly name: 'SignatureError'
  readonly reason: SignatureErrorReason
}

export declare class ConfigError extends Error {
  readonly name: 'ConfigError'
  readonly reason: 'config'
}

/** Drop-in for `@upstash/qstash`'s `Receiver`. Without keys they come from `process.env` or
 * `Deno.env` where the runtime has them; on workerd pass them from the handler's `env`. */
export declare class Receiver {
  constructor(config?: ReceiverConfig | null)
  static dev(): Receiver
  /** Resolves `true`, or rejects with a `SignatureError`. */
  verify(request: VerifyRequest): Promise<true>
  /** Returns the claims, or throws a `SignatureError`. */
  verifySync(request: VerifyRequest): Claims
  replaceKeys(currentSigningKey: string, nextSigningKey: string): void
}

export interface HelperOptions {
  receiver?: Receiver
  url?: string
  publicBase?: string
  forwarded?: number
  checkUrl?: boolean
  bodyLimit?: number
  logger?: { warn(message: string): void } | null
}

/** A refused request, ready to answer with. */
export declare class Rejection extends Error {
  readonly status: number
  readonly reason: string
  readonly error: string
  readonly body: string
  readonly headers: Record<string, string>
  readonly logMessage: string
}

/** Checks deliveries for one endpoint; build it once and pass it instead of options. */
export declare class Gate {
  constructor(options?: HelperOptions)
}

export interface FetchDelivery {
  claims: Claims
  /** The exact body bytes QStash signed. */
  body: Uint8Array
  messageId: string | null
  retried: number | null
  region: string | null
  scheduleId: string | null
  topicName: string | null
  text(): string
  json<T = unknown>(): T
}

export type VerifyResult =
  | { verified: true; delivery: FetchDelivery }
  | { verified: false; reason: string; response: Response }

export declare function verifyRequest(request: Request, options?: HelperOptions | Gate): Promise<VerifyResult>

export declare function withQStash<Rest extends unknown[]>(
  handler: (request: Request, delivery: FetchDelivery, ...rest: Rest) => Response | Promise<Response>,
  options?: HelperOptions | Gate,
): (request: Request, ...rest: Rest) => Promise<Response>

export declare function reasonCodes(): string[]
export declare const build: 'wasm'
