'use strict'
// What the Express and fetch helpers share: the native gate (SPEC.md §7), which decides
// everything, wrapped so refusals are thrown and logged where the helpers expect them.

const native = require('../index.js')
const { Receiver, nativeReceiver } = require('./qstash.js')

const HEADER_NAMES = native.headerNames()

/** A refused request: `status`, `reason`, the JSON `body` text and the `headers` to answer with. */
class Rejection extends Error {
  constructor(rejection) {
    super(`QStash delivery rejected: ${rejection.reason}`)
    this.name = 'Rejection'
    this.status = rejection.status
    this.reason = rejection.reason
    this.error = rejection.error
    this.body = rejection.body
    this.headers = rejection.headers
    this.logMessage = rejection.logMessage
  }
}

class Gate {
  constructor(options = {}) {
    const receiver = options.receiver ?? new Receiver()
    this.native = new native.Gate(
      nativeReceiver(receiver),
      {
        url: options.url ?? undefined,
        publicBase: options.publicBase ?? undefined,
        forwarded: options.forwarded ?? undefined,
        checkUrl: options.checkUrl ?? undefined,
        bodyLimit: options.bodyLimit ?? undefined,
      },
      options.replayGuard ?? undefined,
    )
    this.logger = options.logger === undefined ? console : options.logger
  }

  /** Token, claims, URL and declared length from the head alone. `header(name)` returns a
   * lower-case header's value; `target` is the raw path and query. */
  verifyHead(header, target) {
    const result = this.native.verifyHead(HEADER_NAMES.map(header), target)
    if (result instanceof native.Rejection) throw this.log(result)
    return new Pending(this, result)
  }

  /** The refusal for a body that could not be read. */
  unreadable(header, target) {
    return this.log(this.native.unreadable(HEADER_NAMES.map(header), target))
  }

  log(rejection) {
    this.logger?.warn(rejection.logMessage)
    return new Rejection(rejection)
  }
}

/** A delivery whose token verified: `update(chunk)` as the body arrives, then `await finish(body)`. */
class Pending {
  #gate
  #native
  constructor(gate, pending) {
    this.#gate = gate
    this.#native = pending
  }

  update(chunk) {
    const rejection = this.#native.update(chunk)
    if (rejection) throw this.#gate.log(rejection)
  }

  async finish(body) {
    // A shared store (Redis) is asked off the event loop; the in-memory guard answers at once.
    const result = this.#gate.native.waitsForStore ? await this.#native.finishAsync() : this.#native.finish()
    if (result instanceof native.Rejection) throw this.#gate.log(result)
    // The native object leaves absent headers out; the helpers' `Delivery` has them `null`.
    return {
      claims: result.claims,
      body,
      messageId: result.messageId ?? null,
      retried: result.retried ?? null,
      region: result.region ?? null,
      scheduleId: result.scheduleId ?? null,
      topicName: result.topicName ?? null,
    }
  }
}

module.exports = { Gate, Rejection }
