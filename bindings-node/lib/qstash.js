'use strict'
// `qstash-verify` under Node: the `@upstash/qstash`-compatible API of `core.js` over the
// native addon, plus what needs Node (the signer, Redis replay protection).

// @ts-expect-error: `createApi` is how each build makes the API, not part of the public types
const { createApi } = require('./core.js')
const { backend, native } = require('./native.js')

const api = createApi(backend)
const { ConfigError, PendingBody, Receiver, SignatureError, translate } = api

/** Mints tokens shaped exactly like QStash's, for tests and local development. */
class Signer {
  #native

  constructor(key) {
    try {
      this.#native = key instanceof native.Signer ? key : new native.Signer(key)
    } catch (error) {
      throw translate(error)
    }
  }

  static dev() {
    return new Signer(native.Signer.dev())
  }

  static devNext() {
    return new Signer(native.Signer.devNext())
  }

  sign(url, body, options) {
    return this.#native.sign(url, body, options ?? null)
  }

  toString() {
    return this.#native.toString()
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString()
  }
}

/** Replay protection shared by every process that uses the same Redis (cluster workers,
 * containers), for the `replayGuard` option of the helpers. Connects at once; an option out of
 * range is a `ConfigError`, an unreachable Redis an `Error`. */
class RedisReplayGuard extends native.RedisReplayGuard {
  constructor(url, options) {
    try {
      super(url, options ?? null)
    } catch (error) {
      throw translate(error)
    }
  }
}

const { DEFAULT_BODY_LIMIT, pathAndQueryOf } = native
const REASON_CODES = backend.reasonCodes

// Shorthand members only: Node finds the named exports of a CommonJS module for `import { … }`
// by reading this literal, and stops at the first member that is not a plain name.
module.exports = {
  ConfigError,
  DEFAULT_BODY_LIMIT,
  PendingBody,
  REASON_CODES,
  Receiver,
  RedisReplayGuard,
  SignatureError,
  Signer,
  pathAndQueryOf,
}
// For the helpers of this package only: not enumerable, so no part of its API.
Object.defineProperty(module.exports, 'api', { value: api })
