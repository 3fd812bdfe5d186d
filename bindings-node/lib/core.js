'use strict'
// The JavaScript half of qstash-verify, for both builds: the `Gate` of the framework helpers
// and the fetch helpers, over a backend (`native.js`, or `../wasm/api.mjs` for WebAssembly)
// that converts values. Every rule is the Rust gate's: a delivery goes through its verification
// step by step (SPEC.md §7.1); this file feeds the body, asks the `replayStore` the gate's
// claim, logs the lines the gate wrote at the levels it names and hands the outcomes it
// recorded to the hooks. Both backends throw `{ code, message }` and return steps (`{ accepted
// }`, `{ refusal }`, `{ claim }`). No Node built-ins: `wasm/build.mjs` bundles it for the edge.

const { createErrors } = require('./errors.js')
const { createReceiver } = require('./receiver.js')
const { createStores } = require('./stores.js')

const decoder = new TextDecoder()

function createApi(backend) {
  const { ConfigError, Rejection, SignatureError, translate } = createErrors(backend)

  function call(run) {
    try {
      return run()
    } catch (error) {
      throw translate(error)
    }
  }

  const { Receiver, PendingBody, handleOf } = createReceiver(backend, translate)
  const stores = createStores(ConfigError)

  /** Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
   * Build it once and pass it to the helpers instead of options. */
  class Gate {
    #handle
    #hooks

    constructor(options = {}) {
      // The objects only JavaScript can hold; every other option is the gate's to read. No
      // receiver: the gate reads the keys when a delivery arrives (SPEC.md §7.10).
      const { receiver, replayGuard, replayStore, logger, onOutcome, ...gateOptions } = options
      if (replayStore != null && typeof replayStore.claim !== 'function') {
        throw new ConfigError('replayStore must have claim(id, ttlSeconds) returning a promise of a boolean')
      }
      if (onOutcome != null && typeof onOutcome !== 'function') throw new ConfigError('onOutcome must be a function')
      const store = replayStore == null ? undefined : { timeoutMs: replayStore.timeoutMs, failOpen: replayStore.failOpen }
      const keys = receiver == null ? null : handleOf(receiver)
      this.#handle = call(() => backend.gate(keys, { ...gateOptions, replayStore: store }, replayGuard ?? undefined))
      this.replayStore = store && replayStore
      this.logger = logger === undefined ? console : logger
      this.#hooks = [backend.telemetry?.(), onOutcome].filter((hook) => typeof hook === 'function')
    }

    /** Hands an outcome the gate recorded (SPEC.md §7.8) to OpenTelemetry (when
     * `@opentelemetry/api` is installed) and `onOutcome`; a hook that throws is logged and
     * never changes the answer. */
    outcome(outcome) {
      for (const hook of this.#hooks) {
        try {
          hook(outcome)
        } catch (error) {
          this.logger?.error?.(`QStash: the onOutcome hook threw: ${error?.message ?? error}`)
        }
      }
    }

    /** Writes a line the gate wrote, with the logger method it names. */
    write(line) {
      if (line) this.logger?.[line.level]?.(line.message)
    }

    /** The delivery of a head: `header(name)` returns a lower-case header's value; `target`
     * is the original path and query, or the request's absolute URL. */
    verifyHead(header, target) {
      const pending = call(() => backend.verifyHead(this.#handle, backend.headerNames.map(header), target))
      if (pending.refusal) throw this.log(pending.refusal)
      return new Pending(this, pending)
    }

    /** An AWS Lambda HTTP event (its JSON text) in one call of the native build: `{ shape,
     * body, pending }` with the body fed, or the `Rejection` thrown with the event's `shape`. */
    verifyLambda(event) {
      const { shape, body, pending, refusal } = call(() => backend.verifyLambda(this.#handle, event))
      if (refusal) throw Object.assign(this.log(refusal), { shape })
      return { shape, body, pending: new Pending(this, pending) }
    }

    /** The refusal for a body that could not be read. */
    unreadable(header, target) {
      return this.log(backend.unreadable(this.#handle, backend.headerNames.map(header), target).refusal)
    }

    /** Logs a refusal as the gate wrote it, hands its outcome to the hooks and returns it as a
     * `Rejection`. */
    log(refusal) {
      this.write(refusal.note)
      this.write({ level: refusal.logLevel, message: refusal.logMessage })
      this.outcome(refusal.outcome)
      return new Rejection(refusal)
    }

    /** The largest body accepted, in bytes. */
    get bodyLimit() {
      return this.#handle.bodyLimit
    }
  }

  /** A delivery whose token verified: `update(chunk)` as the body arrives, then `await finish(body)`. */
  class Pending {
    #gate
    #handle

    constructor(gate, handle) {
      this.#gate = gate
      this.#handle = handle
    }

    update(chunk) {
      const step = backend.update(this.#handle, chunk)
      if (step) {
        backend.release?.(this.#handle)
        throw this.#gate.log(step.refusal)
      }
    }

    async finish(body) {
      let step
      try {
        step = await backend.finish(this.#handle)
        while (step.claim) step = backend.answer(this.#handle, ...(await ask(this.#gate.replayStore, step.claim)))
      } finally {
        backend.release?.(this.#handle)
      }
      if (step.refusal) throw this.#gate.log(step.refusal)
      const { delivery, outcome, note } = step.accepted
      this.#gate.write(note)
      this.#gate.outcome(outcome)
      return {
        ...delivery,
        body,
        text: () => decoder.decode(body),
        json: () => JSON.parse(decoder.decode(body)),
        callback: () => backend.callback(body),
      }
    }
  }

  /** The `replayStore`'s reply to the gate's claim, as `[resolved]` or `[, why it failed]`. */
  async function ask(store, claim) {
    let timer
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${claim.timeoutMs} ms`)), claim.timeoutMs)
    })
    try {
      return [await Promise.race([Promise.resolve(store.claim(claim.id, claim.ttlSeconds)), late])]
    } catch (error) {
      return [undefined, error?.message ?? String(error)]
    } finally {
      clearTimeout(timer)
    }
  }

  /** The gate for a helper's options: a `Gate` as it is, else the official helpers' config
   * (`currentSigningKey`, `nextSigningKey`, `clockTolerance`, `devMode`) plus the gate's. */
  function gateOf(config = {}) {
    if (config instanceof Gate) return config
    const { currentSigningKey, nextSigningKey, clockTolerance, devMode, receiver, ...options } = config
    const keys = currentSigningKey !== undefined || nextSigningKey !== undefined || devMode || clockTolerance !== undefined
    return new Gate({
      ...options,
      receiver: receiver ?? (keys ? new Receiver({ currentSigningKey, nextSigningKey, devMode, clockTolerance }) : undefined),
    })
  }

  /** A function returning the gate, built on the first call: edge runtimes hand over their
   * environment with the first request. */
  function lazyGate(config) {
    let gate
    return () => (gate ??= gateOf(config))
  }

  /**
   * Verifies a WHATWG `Request`. Resolves `{ verified: true, delivery }` (the body is consumed;
   * `delivery.body` holds the exact bytes) or `{ verified: false, reason, response }` with the
   * gate's JSON `Response`. `target` is the original path and query when the request's URL is
   * not the one it arrived with (a Node request turned into a fetch `Request`).
   */
  async function verifyRequest(request, options = {}, target = request.url) {
    const gate = gateOf(options)
    const header = (name) => request.headers.get(name) ?? undefined
    try {
      const pending = gate.verifyHead(header, target)
      const chunks = []
      let size = 0
      const reader = request.body?.getReader()
      while (reader) {
        const step = await reader.read().catch(() => undefined)
        if (step === undefined) throw gate.unreadable(header, target)
        if (step.done) break
        try {
          pending.update(step.value)
        } catch (rejection) {
          reader.cancel().catch(() => {})
          throw rejection
        }
        size += step.value.byteLength
        chunks.push(step.value)
      }
      return { verified: true, delivery: await pending.finish(backend.concat(chunks, size)) }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      return { verified: false, reason: error.reason, response: respond(error) }
    }
  }

  /** The gate's answer to a refusal, as a fetch `Response`. */
  function respond(rejection) {
    return new Response(rejection.body, { status: rejection.status, headers: rejection.headers })
  }

  /**
   * Wraps a fetch-style route handler: `export const POST = withQStash(async (req, delivery) => ...)`.
   * The native build builds the gate at once, so a configuration mistake shows at start-up;
   * edge builds on the first request (their environment comes with it).
   */
  function withQStash(handler, options = {}) {
    const gate = lazyGate(options)
    if (!backend.lazyGate) gate()
    return async (request, ...rest) => {
      const result = await verifyRequest(request, gate())
      return result.verified ? handler(request, result.delivery, ...rest) : result.response
    }
  }

  return {
    ConfigError,
    Gate,
    PendingBody,
    Receiver,
    Rejection,
    SignatureError,
    ...stores,
    gateOf,
    lazyGate,
    reasonCodes: () => [...backend.reasonCodes],
    translate,
    verifyRequest,
    withQStash,
  }
}

module.exports = { createApi }
