// qstash-verify on WebAssembly: the API of the native build (`Receiver`, `SignatureError`,
// `ConfigError`, `Gate` and the fetch helpers), from the same `core.js`, with no Node built-ins,
// for workerd (Cloudflare Workers), Vercel Edge, Deno and browsers. This file is the backend
// over the wasm module: it converts values; every rule, reason and status comes from the wasm
// (qstash-core and qstash-gate). The entry modules (`edge.mjs`, `inline.mjs`) instantiate the
// wasm before any of this runs.
import * as wasm from './pkg/qstash_verify.js'
import { createApi } from './pkg/core.mjs'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Unix seconds now: wasm32 has no clock of its own. */
const nowSeconds = () => Date.now() / 1000

const optional = (value) => (value === null ? undefined : value)

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

/** The body as bytes: text is hashed as UTF-8, binary as it is. */
function bytesOf(body) {
  if (typeof body === 'string') return encoder.encode(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError('body must be a string, a Uint8Array or an ArrayBuffer')
}

function text(value, name) {
  if (value !== undefined && value !== null && typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  return optional(value)
}

function number(value, name) {
  if (value !== undefined && value !== null && typeof value !== 'number') throw new TypeError(`${name} must be a number`)
  return optional(value)
}

/** Bodies at least this large are hashed by Web Crypto in `verify`: below it, the call into
 * the runtime costs more than hashing in wasm. */
const WEB_CRYPTO_FROM = 16 * 1024

/** The fields of a verification as the wasm takes them. */
function fields(request) {
  const { signature, url, upstashRegion, clockTolerance, now } = request
  return [
    text(signature, 'signature'),
    text(url, 'url'),
    text(upstashRegion, 'upstashRegion'),
    number(clockTolerance, 'clockTolerance'),
    number(now, 'now') ?? nowSeconds(),
  ]
}

function verifyBytes(receiver, request, bytes) {
  const [signature, url, region, tolerance, now] = fields(request)
  return receiver.verify(signature, bytes, url, region, tolerance, now)
}

/** `verifyBytes` with the body hashed by Web Crypto. */
async function verifyDigest(receiver, request, bytes) {
  const [signature, url, region, tolerance, now] = fields(request)
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes))
  return receiver.verifyDigest(signature, digest, url, region, tolerance, now)
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

let reasons
let headers

const backend = {
  build: 'wasm',
  // Edge runtimes hand over their environment with the first request.
  lazyGate: true,
  // Read on first use: the entry module instantiates the wasm after this module has run.
  get reasonCodes() {
    reasons ??= wasm.reasonCodes()
    return reasons
  },
  get headerNames() {
    headers ??= wasm.headerNames()
    return headers
  },

  receiver(config) {
    if (config?.replayProtection) {
      throw {
        code: 'config',
        message:
          'replayProtection is not available in the WebAssembly build: edge isolates share no memory, ' +
          'so give the gate a replayStore (durableObjectReplayStore, redisReplayStore, or your own)',
      }
    }
    // The environment also holds QSTASH_DEV, which applies to keys given in code too.
    return new wasm.Receiver(config ?? undefined, environment())
  },

  verifySync: (receiver, request) => verifyBytes(receiver, request, bytesOf(request.body ?? '')),

  /** Settles on the spot (answers `undefined`) for small bodies. Large ones are hashed by the
   * runtime's Web Crypto (the CPU's SHA instructions, which wasm cannot use), and the answer
   * is its promise; the wasm checks the digest and every other rule. */
  verify(receiver, request) {
    const bytes = bytesOf(request.body ?? '')
    if (bytes.byteLength < WEB_CRYPTO_FROM || !globalThis.crypto?.subtle) {
      verifyBytes(receiver, request, bytes)
      return undefined
    }
    return verifyDigest(receiver, request, bytes)
  },

  callback: (body) => wasm.parseCallback(body),
  region: (receiver) => receiver.lastRegion() ?? undefined,
  decodeSegment: (segment) => decoder.decode(Uint8Array.from(atob(segment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))),
  replaceKeys: (receiver, current, next) => receiver.replaceKeys(current, next),
  describe: (receiver) => receiver.toString(),

  gate(receiver, options, replayGuard) {
    if (replayGuard) {
      throw { code: 'config', message: 'replayGuard needs the native build (Redis): edge runtimes cannot open TCP connections to it' }
    }
    return receiver ? new wasm.Gate(receiver, options) : wasm.Gate.keysLater(options)
  },

  verifyHead(gate, values, target) {
    // A gate given no keys reads them from the environment, which only JavaScript can reach.
    if (gate.wantsKeys) gate.offerEnvironment(environment())
    return gate.verifyHead(values, target, nowSeconds())
  },
  unreadable: (gate, values, target) => gate.unreadable(values, target),
  update: (pending, chunk) => pending.update(chunk),
  finish: (pending) => pending.finish(nowSeconds()),
  answer: (pending, fresh, error) => pending.answer(fresh, error),
  /** The delivery's memory, freed once it is decided. */
  release: (pending) => pending.free(),

  concat,
}

const api = createApi(backend)

export const {
  ConfigError,
  Gate,
  PendingBody,
  QStashReplayObject,
  Receiver,
  Rejection,
  SignatureError,
  durableObjectReplayStore,
  gateOf,
  lazyGate,
  redisReplayStore,
  verifyRequest,
  withQStash,
} = api

/** Every reason code a `SignatureError` or a `Rejection` can carry. */
export const reasonCodes = () => api.reasonCodes()

/** Which build this is. */
export const build = 'wasm'
