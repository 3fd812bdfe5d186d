// The WebAssembly build's own surface (the vectors and the HTTP cases run it elsewhere):
// large bodies hashed by Web Crypto with the same verdicts, configuration errors, keys from
// the environment, and keys that never print.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { ConfigError, Gate, Receiver, SignatureError, build, reasonCodes } from '../wasm/inline.mjs'
import { DEV_CURRENT, DEV_NEXT, URL_, qstash } from './support.mjs'

const { Signer } = qstash

/** Runs `work` with Web Crypto's digest counted (the runtime's own, called through). */
async function countingDigests(work) {
  const subtle = globalThis.crypto.subtle
  let calls = 0
  const digest = subtle.digest
  Object.defineProperty(subtle, 'digest', {
    configurable: true,
    value: (...args) => {
      calls += 1
      return digest.apply(subtle, args)
    },
  })
  try {
    await work()
  } finally {
    delete subtle.digest
  }
  return calls
}

test('large bodies verify through Web Crypto with the same verdicts as small ones', async () => {
  assert.equal(build, 'wasm')
  const body = 'x'.repeat(200 * 1024)
  const token = Signer.dev().sign(URL_, body)
  const receiver = Receiver.dev()
  const hashedLarge = await countingDigests(async () => assert.equal(await receiver.verify({ signature: token, body, url: URL_ }), true))
  assert.equal(hashedLarge, 1, 'the large body was not hashed by Web Crypto')
  const small = Signer.dev().sign(URL_, '{}')
  const hashedSmall = await countingDigests(async () =>
    assert.equal(await receiver.verify({ signature: small, body: '{}', url: URL_ }), true),
  )
  assert.equal(hashedSmall, 0, 'a small body is hashed in the wasm')
  assert.equal(await receiver.verify({ signature: token, body: new TextEncoder().encode(body), url: URL_ }), true)
  await assert.rejects(
    receiver.verify({ signature: token, body: `${body}y`, url: URL_ }),
    (e) => e instanceof SignatureError && e.reason === 'body',
  )
  await assert.rejects(receiver.verify({ signature: token, body, url: `${URL_}/other` }), (e) => e.reason === 'subject')
  const forged = new Signer('sig_anotherAccountKey').sign(URL_, body)
  await assert.rejects(receiver.verify({ signature: forged, body, url: URL_ }), (e) => e.reason === 'signature')
  assert.equal(receiver.verifySync({ signature: token, body, url: URL_ }).sub, URL_)
})

test('configuration mistakes are ConfigErrors, and keys come from the environment when none are given', () => {
  assert.throws(() => new Receiver({ currentSigningKey: '', nextSigningKey: 'sig_x' }), ConfigError)
  assert.throws(() => new Receiver({ currentSigningKey: DEV_CURRENT, nextSigningKey: DEV_NEXT }), ConfigError)
  assert.throws(() => new Receiver({ devMode: true, replayProtection: true }), /edge isolates share no memory/)
  assert.throws(() => new Gate({ receiver: Receiver.dev(), url: 'https://a', publicBase: 'https://b' }), ConfigError)
  const saved = { ...process.env }
  try {
    process.env.QSTASH_CURRENT_SIGNING_KEY = 'sig_wasmEnvCurrent'
    process.env.QSTASH_NEXT_SIGNING_KEY = 'sig_wasmEnvNext'
    const token = new Signer('sig_wasmEnvNext').sign(URL_, 'b')
    assert.equal(new Receiver().verifySync({ signature: token, body: 'b' }).key, 'next')
    delete process.env.QSTASH_CURRENT_SIGNING_KEY
    assert.throws(
      () => new Receiver(),
      (e) => e instanceof ConfigError && /QSTASH_CURRENT_SIGNING_KEY/.test(e.message),
    )
  } finally {
    process.env = saved
  }
})

test("keys never print, and the reason codes are the native build's", () => {
  const receiver = new Receiver({ currentSigningKey: 'sig_secretCurrent', nextSigningKey: 'sig_secretNext' })
  for (const text of [String(receiver), JSON.stringify(receiver)]) assert.ok(!text.includes('secret'), text)
  receiver.replaceKeys('sig_rotatedCurrent', 'sig_rotatedNext')
  assert.equal(receiver.verifySync({ signature: new Signer('sig_rotatedCurrent').sign(URL_, ''), body: '' }).key, 'current')
  assert.deepEqual(reasonCodes(), createRequire(import.meta.url)('../index.js').reasonCodes())
})

test('a callback reads the same in the WebAssembly build as in the native one', async () => {
  const body =
    '{"status":200,"header":{"content-type":["text/plain"]},"body":"b2s=","retried":0,"sourceMessageId":"msg_1","sourceBody":"aGk=","createdAt":1701198447054}'
  const native = qstash
  const wasmBuild = await import('../wasm/inline.mjs')
  const token = native.Signer.dev().sign(URL_, body)
  const views = []
  for (const build of [wasmBuild, native.api]) {
    const handler = build.withQStash(
      async (_request, delivery) => {
        const callback = delivery.callback()
        views.push({ ...callback, body: Buffer.from(callback.body).toString(), sourceBody: Buffer.from(callback.sourceBody).toString() })
        return new Response('ok')
      },
      { receiver: build.Receiver.dev(), logger: null },
    )
    const response = await handler(new Request(URL_, { method: 'POST', body, headers: { 'upstash-signature': token } }))
    assert.equal(response.status, 200)
  }
  assert.deepEqual(views[0], views[1])
  assert.deepEqual(
    [views[0].body, views[0].sourceBody, views[0].dlqId, views[0].header],
    ['ok', 'hi', null, { 'content-type': ['text/plain'] }],
  )
  const notCallback = wasmBuild.withQStash(async (_request, delivery) => delivery.callback(), {
    receiver: wasmBuild.Receiver.dev(),
    logger: null,
  })
  await assert.rejects(
    notCallback(new Request(URL_, { method: 'POST', body: '{}', headers: { 'upstash-signature': native.Signer.dev().sign(URL_, '{}') } })),
    /not a QStash callback/,
  )
})
