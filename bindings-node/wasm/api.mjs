// qstash-verify on WebAssembly: the API of the native build (`Receiver`, `SignatureError`,
// `ConfigError`, and the fetch helpers `verifyRequest` / `withQStash`) with no Node built-ins,
// for workerd (Cloudflare Workers), Vercel Edge, Deno and browsers. Every rule, reason and
// status comes from the wasm (qstash-core and qstash-gate); this file only moves bytes.
// The entry modules (`edge.mjs`, `inline.mjs`) instantiate the wasm before any of this runs.
import * as wasm from './pkg/qstash_verify.js'
import { fetchHelpers } from './pkg/fetch-core.mjs'

const encoder = new TextEncoder()

/** Unix seconds now: wasm32 has no clock of its own. */
const nowSeconds = () => Date.now() / 1000

export class SignatureError extends Error {
  constructor(message, reason) {
    super(message)
    this.name = 'SignatureError'
    this.reason = reason
  }
}

export class ConfigError extends Error {
  constructor(message) {
    super(message)
    this.name = 'ConfigError'
    this.reason = 'config'
  }
}

/** A refused request: `status`, `reason`, the JSON `body` text and the `headers` to answer with. */
export class Rejection extends Error {
  constructor(rejection) {
    super(`QStash delivery rejected: ${rejection.reason}`)
    this.name = 'Rejection'
    this.status = rejection.status
    this.reason = rejection.reason
    this.error = rejection.error
    this.body = rejection.body
    this.headers = Object.fromEntries(rejection.headers)
    this.logMessage = rejection.logMessage
  }
}

/** What the wasm threw, as the error users catch. */
function translate(error) {
  if (error && typeof error.reason === 'string' && typeof error.message === 'string' && !(error instanceof Error)) {
    return new SignatureError(error.message, error.reason)
  }
  if (error instanceof Error && error.message.startsWith('config: ')) {
    return new ConfigError(error.message.slice('config: '.length))
  }
  return error
}

/** The environment as an object, where the runtime has one (Node-style `process.env`, Deno
 * with `--allow-env`); workerd passes its bindings to the handler instead, so there the keys
 * are given to `new Receiver({ … })`. */
function environment() {
  try {
    if (globalThis.process?.env) return { ...globalThis.process.env }
    if (globalThis.Deno?.env) return globalThis.Deno.env.toObject()
  } catch {
    // No permission to read the environment: keys must be passed explicitly.
  }
  return {}
}

function checkTolerance(value) {
  if (value === undefined || value === null) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`clockTolerance must be from 0 to 4294967295 seconds, got ${value}`)
  }
}

/** The body as bytes: text is hashed as UTF-8, binary as it is. */
function bytesOf(body) {
  if (typeof body === 'string') return encoder.encode(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError('body must be a string, a Uint8Array or an ArrayBuffer')
}

const optional = (value) => (value === null ? undefined : value)

/** Bodies at least this large are hashed by Web Crypto in `verify`: below it, the call into
 * the runtime costs more than hashing in wasm. */
const WEB_CRYPTO_FROM = 16 * 1024

function checkSignature(signature) {
  if (signature !== undefined && signature !== null && typeof signature !== 'string') {
    throw new TypeError('signature must be a string')
  }
}

let wasmReceiverOf

export class Receiver {
  #wasm

  static {
    wasmReceiverOf = (receiver) => {
      if (!(receiver instanceof Receiver)) throw new TypeError('receiver must be a qstash-verify Receiver')
      return receiver.#wasm
    }
  }

  /** `new Receiver({ currentSigningKey, nextSigningKey })`, as the official SDK; without keys
   * they are read from the environment where there is one. */
  constructor(config) {
    checkTolerance(config?.clockTolerance)
    if (config?.replayProtection) {
      throw new ConfigError(
        'replayProtection is not available in the WebAssembly build: edge isolates share no memory, ' +
          'so refuse replays with a store of your own keyed by delivery.claims.jti',
      )
    }
    const keyless =
      !config || (config.currentSigningKey === undefined && config.nextSigningKey === undefined && !config.devMode && !config.regions)
    try {
      this.#wasm = new wasm.Receiver(config ?? null, keyless ? environment() : {})
    } catch (error) {
      throw translate(error)
    }
  }

  /** A receiver with the public local-development keys (QStash CLI dev server, tests). */
  static dev() {
    return new Receiver({ devMode: true })
  }

  /** Resolves `true` or rejects with a `SignatureError`, as `@upstash/qstash`'s `Receiver`.
   * Large bodies are hashed by the runtime's Web Crypto (the CPU's SHA instructions, which
   * wasm cannot use); the wasm checks the digest and every other rule. */
  async verify(request) {
    const { signature, url, upstashRegion, body, clockTolerance, now } = request
    const bytes = bytesOf(body ?? '')
    if (bytes.byteLength < WEB_CRYPTO_FROM || !globalThis.crypto?.subtle) {
      this.verifySync(request)
      return true
    }
    checkTolerance(clockTolerance)
    checkSignature(signature)
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes))
    try {
      this.#wasm.verifyDigest(optional(signature), digest, optional(url), optional(upstashRegion), optional(clockTolerance), now ?? nowSeconds())
    } catch (error) {
      throw translate(error)
    }
    return true
  }

  /** Returns the verified claims or throws a `SignatureError`. */
  verifySync(request) {
    const { signature, url, upstashRegion, body, clockTolerance, now } = request
    checkTolerance(clockTolerance)
    checkSignature(signature)
    try {
      return this.#wasm.verify(
        optional(signature),
        bytesOf(body ?? ''),
        optional(url),
        optional(upstashRegion),
        optional(clockTolerance),
        now ?? nowSeconds(),
      )
    } catch (error) {
      throw translate(error)
    }
  }

  /** Replaces the default key pair (key rotation). */
  replaceKeys(currentSigningKey, nextSigningKey) {
    try {
      this.#wasm.replaceKeys(currentSigningKey, nextSigningKey)
    } catch (error) {
      throw translate(error)
    }
  }

  toString() {
    return 'Receiver { keys: [REDACTED] }'
  }
}

let headerNames

/** Checks deliveries for one endpoint: keys, URL policy and body limit. */
export class Gate {
  constructor(options = {}) {
    if (options.replayGuard) {
      throw new ConfigError('replayGuard needs the native build (Redis): edge runtimes cannot open TCP connections to it')
    }
    const receiver = options.receiver ?? new Receiver()
    headerNames ??= wasm.headerNames()
    try {
      this.wasm = new wasm.Gate(
        wasmReceiverOf(receiver),
        optional(options.url),
        optional(options.publicBase),
        optional(options.forwarded),
        optional(options.checkUrl),
        optional(options.bodyLimit),
      )
    } catch (error) {
      throw new ConfigError(error.message)
    }
    this.logger = options.logger === undefined ? console : options.logger
  }

  /** Token, claims, URL and declared length from the head alone. */
  verifyHead(header, target) {
    try {
      return new Pending(this, this.wasm.verifyHead(headerNames.map(header), target, nowSeconds()))
    } catch (rejection) {
      throw this.log(rejection)
    }
  }

  /** The refusal for a body that could not be read. */
  unreadable(header, target) {
    return this.log(this.wasm.unreadable(headerNames.map(header), target))
  }

  log(rejection) {
    if (!rejection || typeof rejection.status !== 'number') throw rejection
    this.logger?.warn(rejection.logMessage)
    return new Rejection(rejection)
  }
}

class Pending {
  #gate
  #wasm
  constructor(gate, pending) {
    this.#gate = gate
    this.#wasm = pending
  }

  update(chunk) {
    try {
      this.#wasm.update(chunk)
    } catch (rejection) {
      this.#wasm.free()
      throw this.#gate.log(rejection)
    }
  }

  finish(body) {
    let delivery
    try {
      delivery = this.#wasm.finish()
    } catch (rejection) {
      throw this.#gate.log(rejection)
    } finally {
      this.#wasm.free()
    }
    return { ...delivery, body }
  }
}

function concat(chunks, size) {
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

export const { verifyRequest, withQStash } = fetchHelpers({ Gate, Rejection, concat, lazyGate: true })

/** Every reason code a `SignatureError` or a `Rejection` can carry. */
export const reasonCodes = () => wasm.reasonCodes()

/** Which build this is. */
export const build = 'wasm'
