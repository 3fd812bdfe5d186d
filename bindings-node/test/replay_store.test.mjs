// Replay protection through an asynchronous store of the platform's (`replayStore`), in both
// builds: a token accepted once is refused as `replayed`; the store is asked last, for the
// signed jti until exp plus the tolerance; a store that fails, hangs past `timeoutMs` or answers
// nonsense refuses with 503 unless `failOpen`. `redisReplayStore` sends exactly what
// `@upstash/redis` sends for `set(key, 1, { nx: true, px })`, checked against a local server
// that speaks Upstash's REST protocol.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { after, before, test } from 'node:test'
import { Redis } from '@upstash/redis'
import * as wasmBuild from '../wasm/inline.mjs'
import { URL_, claims, mint, now, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const native = require('../lib/fetch.js')
const { Signer } = qstash
const BODY = '{"order":42}'

/** A store in a Map, with every claim it was asked for. */
function mapStore(extra = {}) {
  const claimed = new Map()
  const asked = []
  return {
    asked,
    async claim(id, ttlSeconds) {
      asked.push({ id, ttlSeconds })
      if (claimed.has(id)) return false
      claimed.set(id, ttlSeconds)
      return true
    },
    ...extra,
  }
}

const request = (token, body = BODY) =>
  new Request(URL_, { method: 'POST', body, headers: { 'upstash-signature': token, 'upstash-message-id': 'm' } })

async function status(build, token, options, body) {
  const result = await build.verifyRequest(request(token, body), { receiver: build.Receiver.dev(), logger: null, ...options })
  return result.verified ? 200 : `${result.response.status} ${result.reason}`
}

for (const [name, build] of [
  ['native', native],
  ['wasm', wasmBuild],
]) {
  test(`${name}: a token is claimed once, last, for its jti until exp plus the tolerance`, async () => {
    const store = mapStore()
    const token = Signer.dev().sign(URL_, BODY)
    assert.equal(await status(build, token, { replayStore: store }), 200)
    assert.equal(await status(build, token, { replayStore: store }), '401 replayed')
    // Forged and tampered deliveries never reach the store.
    assert.equal(await status(build, token, { replayStore: store }, '{"order":43}'), '401 body')
    assert.equal(await status(build, new Signer('sig_attackerKey').sign(URL_, BODY), { replayStore: store }), '401 signature')
    assert.equal(store.asked.length, 2)
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti
    assert.equal(store.asked[0].id, jti)
    // exp is 300 s away and the default tolerance 0: about 300 s, never less than a second.
    assert.ok(store.asked[0].ttlSeconds > 290 && store.asked[0].ttlSeconds <= 301, String(store.asked[0].ttlSeconds))
  })

  test(`${name}: a token without a jti is refused as replayed without asking the store`, async () => {
    const store = mapStore()
    const at = now()
    const token = mint(claims(URL_, BODY, at, { jti: undefined }))
    assert.equal(await status(build, token, { replayStore: store }), '401 replayed')
    assert.equal(store.asked.length, 0)
  })

  test(`${name}: a store that fails, hangs or answers nonsense refuses with 503 unless it fails open`, async () => {
    const failing = {
      claim: async () => {
        throw new Error('connection reset')
      },
    }
    const hanging = { claim: () => new Promise(() => {}), timeoutMs: 50 }
    const nonsense = { claim: async () => 'OK' }
    for (const store of [failing, hanging, nonsense]) {
      const token = Signer.dev().sign(URL_, BODY)
      assert.equal(await status(build, token, { replayStore: store }), '503 replay_store_unavailable')
      assert.equal(await status(build, token, { replayStore: { ...store, failOpen: true } }), 200)
    }
  })

  test(`${name}: a store that cannot answer is logged with why: an error when it refuses, a warning when it fails open`, async () => {
    const failing = {
      claim: async () => {
        throw new Error('connection reset')
      },
    }
    for (const [failOpen, expected] of [
      [false, ['error', '503 replay_store_unavailable']],
      [true, ['warn', 200]],
    ]) {
      const lines = []
      const logger = { error: (line) => lines.push(['error', line]), warn: (line) => lines.push(['warn', line]) }
      const token = Signer.dev().sign(URL_, BODY)
      const result = await status(build, token, { replayStore: { ...failing, failOpen }, logger })
      assert.equal(result, expected[1])
      const storeLines = lines.filter(([, line]) => line.includes('replay store unavailable'))
      assert.deepEqual(
        storeLines.map(([level]) => level),
        [expected[0]],
        JSON.stringify(lines),
      )
      assert.match(
        storeLines[0][1],
        failOpen
          ? /accepting the delivery unchecked \(fail open\): connection reset/
          : /refusing the delivery \(fail closed\): connection reset/,
      )
    }
  })

  test(`${name}: replayStore options are checked when the gate is built`, () => {
    const receiver = build.Receiver.dev()
    assert.throws(() => new build.Gate({ receiver, replayStore: {} }), { name: 'ConfigError' })
    assert.throws(() => new build.Gate({ receiver, replayStore: { claim() {}, timeoutMs: 0 } }), { name: 'ConfigError' })
    assert.throws(() => new build.Gate({ receiver, replayStore: { claim() {}, timeoutMs: 3_600_001 } }), { name: 'ConfigError' })
    assert.throws(() => build.durableObjectReplayStore({}), { name: 'ConfigError' })
    assert.throws(() => build.redisReplayStore({}), { name: 'ConfigError' })
  })
}

/** Upstash's REST protocol for SET with NX and PX, and every request as it arrived. */
let server
let base
const seen = []
const keys = new Map()
before(async () => {
  server = createServer((req, res) => {
    let text = ''
    req.on('data', (chunk) => (text += chunk))
    req.on('end', () => {
      const parsed = JSON.parse(text)
      seen.push({ method: req.method, path: req.url, authorization: req.headers.authorization, body: parsed })
      // `/pipeline` (the client's automatic pipelining) takes a list of commands, `/` one.
      const pipeline = req.url === '/pipeline'
      const results = (pipeline ? parsed : [parsed]).map(([verb, key, value, ...flags]) => {
        if (String(verb).toLowerCase() !== 'set') return { error: `ERR unknown command ${verb}` }
        const nx = flags.some((f) => String(f).toLowerCase() === 'nx')
        if (nx && keys.has(key)) return { result: null }
        keys.set(key, value)
        return { result: 'OK' }
      })
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(pipeline ? results : results[0]))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
after(() => new Promise((resolve) => server.close(resolve)))

test('redisReplayStore: what @upstash/redis sends for set(key, 1, { nx, px }), and a replay refused', async () => {
  const redis = new Redis({ url: base, token: 'upstash-token', automaticDeserialization: true })
  const store = native.redisReplayStore(redis)
  assert.equal(await store.claim('jwt_1', 300), true)
  assert.equal(await store.claim('jwt_1', 300), false)
  await redis.set('qstash:jti:jwt_2', 1, { nx: true, px: 300000 })
  await store.claim('jwt_2', 300)
  const [claimed, , direct, throughStore] = seen.splice(0)
  assert.deepEqual(claimed.body, [['set', 'qstash:jti:jwt_1', 1, 'nx', 'px', 300000]])
  assert.deepEqual(throughStore, direct, 'the store sends what the client sends for that call')
  assert.equal(direct.authorization, 'Bearer upstash-token')

  const token = Signer.dev().sign(URL_, BODY)
  for (const build of [native, wasmBuild]) {
    const replayStore = build.redisReplayStore(redis, { prefix: 'app:' })
    const first = await status(build, token, { replayStore })
    assert.equal(first, build === native ? 200 : '401 replayed', "the second build sees the first one's claim")
  }
  assert.equal(seen.length, 2)
})

test('redisReplayStore reads the reply of SET NX as the native Redis store does: OK first seen, null seen before, anything else unavailable', async () => {
  // SPEC.md §6: a reply that is neither says nothing about the token. A client answering 1 or
  // a transaction's "QUEUED" once counted as a replay.
  for (const build of [native, wasmBuild]) {
    const answering = (reply) => build.redisReplayStore({ set: async () => reply })
    assert.equal(await status(build, Signer.dev().sign(URL_, BODY), { replayStore: answering('OK') }), 200)
    assert.equal(await status(build, Signer.dev().sign(URL_, BODY), { replayStore: answering(null) }), '401 replayed')
    for (const reply of [1, 0, 'QUEUED', undefined, '', 'ok', { result: 'OK' }]) {
      const answer = await status(build, Signer.dev().sign(URL_, BODY), { replayStore: answering(reply) })
      assert.equal(answer, '503 replay_store_unavailable', `${build === native ? 'native' : 'wasm'}: ${JSON.stringify(reply)}`)
    }
  }
})

test('the Durable Object store remembers an id until its token can no longer verify, however far that is', async (t) => {
  // A clock tolerance of two days keeps a token acceptable two days past its expiry: the
  // object's alarm must not come sooner (it once came after at most a day).
  t.mock.timers.enable({ apis: ['Date'], now: 1_750_000_000_000 })
  for (const build of [native, wasmBuild]) {
    const alarms = []
    const storage = new Map()
    const state = {
      storage: {
        get: async (key) => storage.get(key),
        put: async (key, value) => void storage.set(key, value),
        setAlarm: async (at) => void alarms.push(Number(at)),
        deleteAll: async () => storage.clear(),
      },
    }
    const object = new build.QStashReplayObject(state)
    const ttlSeconds = 2 * 86400 + 300
    const claim = () =>
      object.fetch(new Request('https://qstash-replay.internal/claim', { method: 'POST', body: JSON.stringify({ ttlSeconds }) }))
    assert.equal((await claim()).status, 201)
    assert.equal((await claim()).status, 409)
    assert.deepEqual(alarms, [1_750_000_000_000 + ttlSeconds * 1000])
  }
})
