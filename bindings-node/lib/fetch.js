'use strict'
// fetch-API helper for Next.js App Router, Hono, Bun, Deno-style handlers.

const { Gate, Rejection } = require('./gate.js')
const { Receiver } = require('./qstash.js')
const { fetchHelpers } = require('./fetch-core.js')

const { verifyRequest, withQStash } = fetchHelpers({ Gate, Rejection, concat: (chunks, size) => Buffer.concat(chunks, size) })

// `Gate` and `Receiver` too, so the framework helpers (`../frameworks/`) build theirs from
// whichever build (native or WebAssembly) this entry resolves to.
module.exports = { Gate, Receiver, verifyRequest, withQStash }
