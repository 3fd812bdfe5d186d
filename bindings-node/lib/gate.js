'use strict'
// The framework-neutral half of the Express and fetch helpers (SPEC.md §7): URL policy,
// order of checks, rejection bodies and logging, so both answer exactly like the Rust
// middleware.

const { DEFAULT_BODY_LIMIT, Receiver, SignatureError } = require('./qstash.js')
const { parseRetried } = require('../index.js')

class Rejection extends Error {
  constructor(status, reason) {
    super(`QStash delivery rejected: ${reason}`)
    this.name = 'Rejection'
    this.status = status
    this.reason = reason
  }

  /** `{"error":"invalid_signature","reason":"<code>"}` (401) or `{"error":code,"reason":code}`. */
  get body() {
    return { error: this.status === 401 ? 'invalid_signature' : this.reason, reason: this.reason }
  }

  /** RFC 9110 asks 401 responses to name a scheme; QStash's is its signature header. */
  get headers() {
    const headers = { 'content-type': 'application/json' }
    if (this.status === 401) headers['www-authenticate'] = 'Upstash-Signature'
    return headers
  }
}

class Gate {
  constructor(options = {}) {
    if (options.url != null && options.publicBase != null) throw new TypeError('pass url or publicBase, not both')
    this.receiver = options.receiver ?? new Receiver()
    this.url = options.url ?? null
    this.publicBase = options.publicBase != null ? String(options.publicBase).replace(/\/+$/, '') : null
    this.checkUrl = options.checkUrl !== false
    this.bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
    this.logger = options.logger === undefined ? console : options.logger
  }

  /** Token, claims, URL and declared length from the head alone. `header(name)` returns a
   * lower-case header's value; `target` is the raw path and query. */
  verifyHead(header, target) {
    target = target || '/'
    let url = this.url
    let pathAndQuery = null
    if (url == null && this.publicBase != null) url = this.publicBase + target
    else if (url == null && this.checkUrl) pathAndQuery = target
    let pending
    try {
      pending = this.receiver.verifyToken({
        signature: header('upstash-signature') ?? null,
        url,
        pathAndQuery,
        upstashRegion: header('upstash-region') ?? null,
      })
    } catch (error) {
      if (error instanceof SignatureError) throw this.log(new Rejection(401, error.reason), header)
      throw error
    }
    const declared = header('content-length')
    if (declared != null && /^\d+$/.test(declared) && Number(declared) > this.bodyLimit) {
      throw this.tooLarge(header)
    }
    return pending
  }

  /** Checks the hash of what was fed to `pending` and builds the delivery. */
  finish(pending, body, header) {
    let claims
    try {
      claims = pending.finish()
    } catch (error) {
      if (error instanceof SignatureError) throw this.log(new Rejection(401, error.reason), header)
      throw error
    }
    const retried = header('upstash-retried')
    return {
      claims,
      body,
      messageId: header('upstash-message-id') ?? null,
      retried: retried == null ? null : parseRetried(retried),
      region: header('upstash-region') ?? null,
      scheduleId: header('upstash-schedule-id') ?? null,
      topicName: header('upstash-topic-name') ?? null,
    }
  }

  tooLarge(header) {
    return this.log(new Rejection(413, 'payload_too_large'), header)
  }

  unreadable(header) {
    return this.log(new Rejection(400, 'unreadable_body'), header)
  }

  log(rejection, header) {
    // The reason and the (unsigned) message id only: never the token or keys.
    if (this.logger) {
      this.logger.warn(
        `QStash delivery rejected: reason=${rejection.reason} message_id=${header('upstash-message-id') ?? '-'}`,
      )
    }
    return rejection
  }
}

module.exports = { Gate, Rejection }
