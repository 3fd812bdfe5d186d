'use strict'
// The drop-in `Receiver` of `@upstash/qstash` over a backend (`native.js` or the WebAssembly
// one): its answers, its lazily read claims and the body of `verifyToken`. `core.js` makes it
// with the error translation every call shares.

/** `translate` turns the backend's `{ code, message }` into the error users catch. */
function createReceiver(backend, translate) {
  // The answers of `Receiver.verify`: settled promises can be shared, as nothing can change them.
  const VERIFIED = Promise.resolve(true)
  const accepted = () => true
  const rejected = (error) => {
    throw translate(error)
  }

  function call(run) {
    try {
      return run()
    } catch (error) {
      throw translate(error)
    }
  }

  /** The claims of a token the backend verified, read from the token itself only when first
   * looked at (most callers only need to know the delivery verified). The backend checked the
   * token, every rule included, so its payload is the verified claims. */
  class Claims {
    #token
    #key
    #region
    #fields

    constructor(token, key, region) {
      this.#token = token
      this.#key = key
      this.#region = region
    }

    #read() {
      if (this.#fields) return this.#fields
      const token = this.#token
      const payload = JSON.parse(backend.decodeSegment(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'))))
      this.#fields = {
        iss: 'Upstash',
        sub: payload.sub,
        jti: payload.jti,
        exp: payload.exp,
        nbf: payload.nbf,
        iat: payload.iat,
        key: this.#key,
        region: this.#region,
      }
      return this.#fields
    }

    get iss() {
      return 'Upstash'
    }
    get sub() {
      return this.#read().sub
    }
    get jti() {
      return this.#read().jti
    }
    get exp() {
      return this.#read().exp
    }
    get nbf() {
      return this.#read().nbf
    }
    get iat() {
      return this.#read().iat
    }
    get key() {
      return this.#key
    }
    get region() {
      return this.#region
    }

    toJSON() {
      return { ...this.#read() }
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toJSON()
    }
  }

  /** A token that verified, waiting for its body (`Receiver.verifyToken`). */
  class PendingBody {
    #pending

    constructor(pending) {
      this.#pending = pending
    }

    /** The destination URL the verified token names (the body is not checked yet). */
    get sub() {
      return this.#pending.sub
    }

    /** Hashes the next chunk of the body. */
    update(chunk) {
      call(() => this.#pending.update(chunk))
    }

    /** Checks the body hash; throws a `SignatureError` (`body`). */
    finish() {
      return call(() => this.#pending.finish())
    }
  }

  /** The backend's handle inside a `Receiver`, for the gates built on it. */
  let handleOf

  /**
   * Drop-in for `@upstash/qstash`'s `Receiver`. Keys from the config, else from the
   * environment (`QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`, regions).
   */
  class Receiver {
    #handle

    static {
      handleOf = (receiver) => {
        if (!(receiver instanceof Receiver)) throw new TypeError('receiver must be a qstash-verify Receiver')
        return receiver.#handle
      }
    }

    constructor(config) {
      this.#handle = call(() => backend.receiver(config ?? null))
    }

    /** A receiver with the public local-development keys (QStash CLI dev server, tests). */
    static dev() {
      return new Receiver({ devMode: true })
    }

    /** Resolves `true`, or rejects with a `SignatureError`, as the official receiver. A
     * delivery the backend verified on the spot answers an already settled promise: the
     * caller's `await` is then the only turn of the microtask queue it costs. */
    verify(request) {
      try {
        const pending = backend.verify(this.#handle, request)
        return pending === undefined ? VERIFIED : pending.then(accepted, rejected)
      } catch (error) {
        return Promise.reject(translate(error))
      }
    }

    /** Returns the verified claims, or throws a `SignatureError`. */
    verifySync(request) {
      let answer
      try {
        answer = backend.verifySync(this.#handle, request)
      } catch (error) {
        throw translate(error)
      }
      // The backend answers which key verified (bit 1: the next) and whether a region's pair
      // did (bit 2; it names the region when asked).
      const region = answer & 2 ? backend.region(this.#handle) : undefined
      return new Claims(request.signature, answer & 1 ? 'next' : 'current', region)
    }

    /** Verifies everything but the body before it is read; feed the body to the result. */
    verifyToken(request) {
      if (!backend.verifyToken) throw new TypeError(`verifyToken is not available in the ${backend.build} build`)
      return new PendingBody(call(() => backend.verifyToken(this.#handle, request)))
    }

    /** Replaces the default key pair on this live receiver (key rotation). */
    replaceKeys(currentSigningKey, nextSigningKey) {
      call(() => backend.replaceKeys(this.#handle, currentSigningKey, nextSigningKey))
    }

    /** Keys print as `[REDACTED]`. */
    toString() {
      return backend.describe(this.#handle)
    }

    toJSON() {
      return this.toString()
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toString()
    }
  }

  return { Receiver, PendingBody, handleOf }
}

module.exports = { createReceiver }
