// Bodies are bytes: string, Buffer and Uint8Array hash the same way; binary bodies verify.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inspect } from 'node:util'
import { URL_, qstash } from './support.mjs'

const { Receiver, SignatureError, Signer } = qstash
const BINARY = Buffer.from([0xef, 0xbb, 0xbf, 0x00, 0xff, 0xfe, 0x20, 0x62])

test('binary bodies verify as Buffer and as Uint8Array', () => {
  const token = Signer.dev().sign(URL_, BINARY)
  assert.ok(Receiver.dev().verifySync({ signature: token, body: BINARY }))
  assert.ok(Receiver.dev().verifySync({ signature: token, body: new Uint8Array(BINARY) }))
  const backing = new ArrayBuffer(64)
  new Uint8Array(backing, 2).set(BINARY)
  const view = new Uint8Array(backing, 2, BINARY.length)
  assert.ok(Receiver.dev().verifySync({ signature: token, body: view }))
})

test('string bodies are hashed as UTF-8', () => {
  const text = '{"name":"Zoë ✓"}'
  const token = Signer.dev().sign(URL_, text)
  assert.ok(Receiver.dev().verifySync({ signature: token, body: text }))
  assert.ok(Receiver.dev().verifySync({ signature: token, body: Buffer.from(text) }))
})

test('ASCII and non-ASCII text verify alike whichever way the strings are written', () => {
  // An ASCII signature and URL are written in one go and their lengths taken from JS; a
  // non-ASCII URL takes the per-string path; bodies of any kind and size follow either.
  const urls = [URL_, 'https://example.com/zoë?q=✓']
  const bodies = ['{"a":1}', '{"name":"Zoë ✓"}', 'x'.repeat(20_000), `${'x'.repeat(20_000)}é`, '']
  for (const url of urls) {
    for (const body of bodies) {
      const token = Signer.dev().sign(url, body)
      const claims = Receiver.dev().verifySync({ signature: token, body, url })
      assert.equal(claims.sub, url)
      assert.throws(
        () => Receiver.dev().verifySync({ signature: token, body: `${body} `, url }),
        (e) => e.reason === 'body',
      )
      assert.throws(
        () => Receiver.dev().verifySync({ signature: token, body, url: `${url}/` }),
        (e) => e.reason === 'subject',
      )
    }
  }
})

test('string bodies larger than the kept scratch verify through a one-off buffer', () => {
  // Past 4 MiB of text `verifySync` writes into a buffer of its own, header included.
  const body = 'y'.repeat(5 << 20)
  const token = Signer.dev().sign(URL_, body)
  assert.equal(Receiver.dev().verifySync({ signature: token, body, url: URL_ }).sub, URL_)
  assert.throws(
    () => Receiver.dev().verifySync({ signature: token, body: `${body}!`, url: URL_ }),
    (e) => e.reason === 'body',
  )
  // The kept scratch still works afterwards.
  const small = Signer.dev().sign(URL_, '{}')
  assert.equal(Receiver.dev().verifySync({ signature: small, body: '{}', url: URL_ }).sub, URL_)
})

test('clockTolerance and now must be numbers', () => {
  const token = Signer.dev().sign(URL_, '{}')
  for (const bad of [{ clockTolerance: '5' }, { now: '1750000000' }, { now: 1n }]) {
    assert.throws(() => Receiver.dev().verifySync({ signature: token, body: '{}', ...bad }), TypeError)
  }
})

test('the BOM is part of the body', () => {
  const token = Signer.dev().sign(URL_, Buffer.from('\ufeff{}'))
  assert.throws(
    () => Receiver.dev().verifySync({ signature: token, body: '{}' }),
    (e) => e.reason === 'body',
  )
})

/** Whether `promise` has settled, asked without giving the event loop a turn. */
const settled = (promise) => !inspect(promise).includes('<pending>')

test('verify() hashes large bodies on the thread pool, after the call returns; small ones at once', async () => {
  for (const big of [Buffer.alloc(2 << 20, 7), 'z'.repeat(2 << 20)]) {
    const token = Signer.dev().sign(URL_, big)
    const verifying = Receiver.dev().verify({ signature: token, body: big })
    assert.equal(settled(verifying), false, 'the body was hashed during the call, on the event loop')
    assert.equal(await verifying, true)
    const tampered = Receiver.dev().verify({ signature: token, body: Buffer.alloc(2 << 20, 8) })
    assert.equal(settled(tampered), false)
    await assert.rejects(tampered, (e) => e instanceof SignatureError && e.reason === 'body')
  }
  const small = Receiver.dev().verify({ signature: Signer.dev().sign(URL_, '{}'), body: '{}' })
  assert.equal(settled(small), true, 'a small body costs less than the hop to the pool')
  assert.equal(await small, true)
})

test('bodies of other types are a TypeError naming the body, never a crash', () => {
  for (const body of [undefined, null, 5, {}, ['a']]) {
    assert.throws(
      () => Receiver.dev().verifySync({ signature: 'a.b.c', body }),
      (e) => e instanceof TypeError && /body/.test(e.message),
    )
  }
})

test('garbage never crashes the process', () => {
  let seed = 7
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  const alphabet = 'ABCxyz019-_.=+/ \u0000é'
  for (let i = 0; i < 3000; i++) {
    let token = ''
    for (let j = rnd(80); j > 0; j--) token += alphabet[rnd(alphabet.length)]
    assert.throws(
      () =>
        Receiver.dev().verifySync({
          signature: token,
          body: '',
          url: [undefined, '', URL_][rnd(3)],
          upstashRegion: [undefined, '', 'x-y', 'é'][rnd(4)],
        }),
      SignatureError,
    )
  }
})
