'use strict'
// The errors users catch, for both builds: `SignatureError` (a delivery that did not verify),
// `ConfigError` (keys or options that cannot work), `Rejection` (a refused request, with its
// answer), and `translate`, which turns the backends' `{ code, message }` into one of them.

/** The errors over `backend`, which names the reason codes and the official package's class. */
function createErrors(backend) {
  // Read on first use: a WebAssembly backend can answer only once its module is instantiated.
  let reasons

  /** A delivery did not verify; `reason` says which rule failed. */
  class SignatureError extends Error {
    constructor(message, reason) {
      super(message)
      this.name = 'SignatureError'
      this.reason = reason
    }
  }

  /** Keys or options that cannot work (a `RangeError`: a value outside what is accepted). */
  class ConfigError extends RangeError {
    constructor(message) {
      super(message)
      this.name = 'ConfigError'
      this.reason = 'config'
    }
  }

  /** A refused request: `status`, `reason`, the JSON `body` text and the `headers` to answer with. */
  class Rejection extends Error {
    constructor(refusal) {
      super(`QStash delivery rejected: ${refusal.reason}`)
      this.name = 'Rejection'
      this.status = refusal.status
      this.reason = refusal.reason
      this.error = refusal.error
      this.body = refusal.body
      this.headers = Object.fromEntries(refusal.headers)
      this.logMessage = refusal.logMessage
    }
  }

  /** Makes `SignatureError` derive from the official package's once the backend sees that
   * package loaded, so code written for it (`error instanceof SignatureError` with the
   * official class) still recognises what this receiver throws. Asked when a refusal is
   * thrown rather than at load: loading the official package costs a tenth of a second. */
  function adoptOfficialBase() {
    const Official = backend.officialSignatureError?.()
    // A shim or a test mock may export something that is no class (an arrow function has no
    // prototype, which `instanceof` throws on): then there is nothing to derive from.
    const base = typeof Official === 'function' ? Official.prototype : undefined
    if (base === null || typeof base !== 'object' || base === SignatureError.prototype) return
    if (Object.prototype.isPrototypeOf.call(base, SignatureError.prototype)) return
    try {
      Object.setPrototypeOf(SignatureError.prototype, base)
    } catch {
      // A base that would make a cycle, or a frozen prototype: the class stays our own.
    }
  }

  /** The backend's `{ code, message }` as the error users catch; anything else as it is. */
  function translate(error) {
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      if (error.code === 'config') return new ConfigError(error.message)
      if (error.code === 'type') return new TypeError(error.message)
      reasons ??= new Set(backend.reasonCodes)
      if (reasons.has(error.code)) {
        adoptOfficialBase()
        return new SignatureError(error.message, error.code)
      }
    }
    return error
  }

  return { ConfigError, Rejection, SignatureError, translate }
}

module.exports = { createErrors }
