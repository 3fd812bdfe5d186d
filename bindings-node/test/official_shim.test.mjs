// Code that loads a stand-in for `@upstash/qstash` (a test mock, a shim) whose `SignatureError`
// export is no class (an arrow function has no prototype, which `instanceof` throws on): a
// refusal is still a `SignatureError` with its reason, and a helper still answers 401, never a
// `TypeError` turned into a 500. Its own process (node --test runs each file in one), since it
// puts the stand-in where `require('@upstash/qstash')` finds it.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import express from 'express'
import { URL_, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { Receiver, SignatureError, Signer } = qstash
const BODY = '{"order":42}'

const official = require.resolve('@upstash/qstash', { paths: [require.resolve('../lib/native.js')] })

/** Puts `SignatureError` as the stand-in's export, in the cache `require` reads first. */
function standIn(signatureError) {
  require.cache[official] = { id: official, filename: official, loaded: true, exports: { SignatureError: signatureError } }
}

const shims = {
  'an arrow function': () => () => {},
  'a function whose prototype was removed': () => Object.assign(function SignatureError() {}, { prototype: undefined }),
  'a function with a primitive prototype': () => {
    const shim = function SignatureError() {}
    Object.defineProperty(shim, 'prototype', { value: 42 })
    return shim
  },
}

for (const [name, make] of Object.entries(shims)) {
  test(`a stand-in whose SignatureError is ${name}: refusals stay SignatureErrors, helpers answer 401`, async () => {
    standIn(make())
    const refused = () => Receiver.dev().verifySync({ signature: 'not-a-token', body: BODY })
    assert.throws(refused, (error) => error instanceof SignatureError && error.reason === 'malformed')
    const app = express()
    app.post('/api/qstash', qstashVerified({ receiver: Receiver.dev(), logger: null }), (_req, res) => res.send('never'))
    const server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    try {
      const token = Signer.dev().sign(URL_, '{"order":43}')
      const r = await fetch(`http://127.0.0.1:${server.address().port}/api/qstash`, {
        method: 'POST',
        body: BODY,
        headers: { 'upstash-signature': token },
      })
      assert.deepEqual([r.status, await r.json()], [401, { error: 'invalid_signature', reason: 'body' }])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
}
