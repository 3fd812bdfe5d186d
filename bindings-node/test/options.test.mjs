// Every number an option takes is checked by the gate and refused with a `ConfigError` when it
// is out of range, never wrapped into another value: in the native and the WebAssembly build.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as wasmBuild from '../wasm/inline.mjs'
import { URL_, qstash } from './support.mjs'

const BODY = '{"order":42}'
const GiB = 1024 ** 3

for (const [name, build] of [
  ['native', qstash.api],
  ['wasm', wasmBuild],
]) {
  const { ConfigError, Gate, Receiver, withQStash } = build
  const gate = (options) => new Gate({ receiver: Receiver.dev(), logger: null, ...options })

  test(`${name}: body limits are the number given or a ConfigError`, async () => {
    for (const bodyLimit of [Infinity, -Infinity, Number.NaN, -1, 1.5, 2 ** 53]) {
      assert.throws(() => gate({ bodyLimit }), ConfigError, String(bodyLimit))
      assert.throws(() => gate({ bodyLimit }), /the body limit \(bytes\) must be a whole number from 0 to/)
    }
    assert.throws(() => gate({ bodyLimit: '5' }), TypeError)
    assert.equal(gate({ bodyLimit: 0 }).bodyLimit, 0)
    if (name === 'native') {
      // 2^32 once became a limit of 0 (every body refused) and 5 GiB one of 1 GiB.
      assert.equal(gate({ bodyLimit: 2 ** 32 }).bodyLimit, 2 ** 32)
      assert.equal(gate({ bodyLimit: 5 * GiB }).bodyLimit, 5 * GiB)
      const route = withQStash(async () => new Response('ok'), gate({ bodyLimit: 2 ** 32 }))
      const token = qstash.Signer.dev().sign(URL_, BODY)
      const answer = await route(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token } }))
      assert.equal(answer.status, 200)
    } else {
      // wasm32 addresses 4 GiB: a larger limit is refused, not wrapped.
      assert.equal(gate({ bodyLimit: 2 ** 32 - 1 }).bodyLimit, 2 ** 32 - 1)
      assert.throws(() => gate({ bodyLimit: 2 ** 32 }), ConfigError)
      assert.throws(() => gate({ bodyLimit: 5 * GiB }), ConfigError)
    }
  })

  test(`${name}: the forwarded policy names a header family and a number of proxies in range`, () => {
    for (const forwarded of [-1, 1, 'X-Forwarded', 'host']) {
      assert.throws(
        () => gate({ forwarded }),
        (e) => e instanceof ConfigError && /"forwarded" \(RFC 7239\) or "x-forwarded"/.test(e.message),
        String(forwarded),
      )
    }
    for (const trustedProxies of [0, -1, 1.5, 33, Infinity]) {
      assert.throws(() => gate({ forwarded: 'x-forwarded', trustedProxies }), ConfigError, String(trustedProxies))
    }
    assert.throws(() => gate({ trustedProxies: 2 }), ConfigError)
    assert.ok(gate({ forwarded: 'forwarded', trustedProxies: 2 }))
    assert.throws(() => gate({ url: URL_, publicBase: 'https://my-app.example.com' }), ConfigError)
  })

  test(`${name}: clock tolerances are checked the same way`, () => {
    for (const clockTolerance of [-1, 0.5, Infinity, Number.NaN, 2 ** 32]) {
      assert.throws(() => new Receiver({ devMode: true, clockTolerance }), ConfigError, String(clockTolerance))
    }
  })
}

test('native: replay capacities and store timeouts are checked before anything is built', () => {
  const { ConfigError, Receiver, RedisReplayGuard } = qstash
  for (const replayCapacity of [0, -1, 1.5, Infinity, 10_000_001]) {
    assert.throws(() => new Receiver({ devMode: true, replayProtection: true, replayCapacity }), ConfigError, String(replayCapacity))
  }
  assert.ok(new Receiver({ devMode: true, replayProtection: true, replayCapacity: 10 }))
  // Refused before any connection is tried: nothing listens on port 1.
  for (const timeoutMs of [0, -1, Infinity, Number.NaN, 3_600_001]) {
    assert.throws(() => new RedisReplayGuard('redis://127.0.0.1:1', { timeoutMs }), ConfigError, String(timeoutMs))
  }
})
