// A callback's times are refused past 2^53 - 1 milliseconds in both builds, as in Rust and
// Python (the gate's one rule): a JavaScript number cannot hold a later one exactly, and a
// rounded time is a wrong time. The largest time every language holds exactly reads as it is.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import * as wasmBuild from '../wasm/inline.mjs'
import { URL_, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const native = require('../lib/fetch.js')
const { Signer } = qstash

/** The callback QStash sends, with `createdAt` as this JSON number text. */
const callbackBody = (createdAt) =>
  `{"status":200,"header":{},"body":"","retried":0,"maxRetries":3,"sourceMessageId":"msg_1","url":"${URL_}","method":"POST","sourceHeader":{},"sourceBody":"","createdAt":${createdAt}}`

async function deliver(build, body) {
  const token = Signer.dev().sign(URL_, body)
  const request = new Request(URL_, { method: 'POST', body, headers: { 'upstash-signature': token } })
  const result = await build.verifyRequest(request, { receiver: build.Receiver.dev(), logger: null })
  assert.ok(result.verified, result.reason)
  return result.delivery
}

for (const [name, build] of [
  ['native', native],
  ['wasm', wasmBuild],
]) {
  test(`${name}: callback times past 2^53 - 1 ms are refused, never rounded`, async () => {
    const exact = await deliver(build, callbackBody('9007199254740991'))
    assert.equal(exact.callback().createdAt, Number.MAX_SAFE_INTEGER)
    for (const past of ['9007199254740992', '9007199254740993', '"9007199254740993"', '18446744073709551615']) {
      const delivery = await deliver(build, callbackBody(past))
      assert.throws(() => delivery.callback(), /createdAt is out of range/, past)
    }
  })
}
