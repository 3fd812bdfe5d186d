'use strict'
// fetch-API helpers for Next.js App Router, Hono, Bun, Deno-style handlers (the native
// build; edge runtimes load the WebAssembly one, which exports the same).

// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')

const {
  Gate,
  QStashReplayObject,
  Receiver,
  Rejection,
  durableObjectReplayStore,
  gateOf,
  lazyGate,
  redisReplayStore,
  verifyRequest,
  withQStash,
} = api

// `Gate`, `Receiver`, `gateOf` and `lazyGate` too, so the framework helpers (`../frameworks/`)
// build theirs from whichever build this entry resolves to.
module.exports = {
  Gate,
  QStashReplayObject,
  Receiver,
  Rejection,
  durableObjectReplayStore,
  gateOf,
  lazyGate,
  redisReplayStore,
  verifyRequest,
  withQStash,
}
