// Replay protection across processes: a worker in this process (Express) and one in a child
// process (fetch helper), each with its own RedisReplayGuard on one real `redis-server` on
// loopback, accept a token once; a store that cannot answer (gone, or holding writes past the
// guard's timeout) refuses with 503 unless failOpen, which still refuses replays while it answers.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import { after, before, test } from 'node:test'
import express from 'express'
import { hasRedis, here, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { Receiver, RedisReplayGuard, Signer } = qstash
const URL_ = 'https://hooks.example.com/api/qstash'
const BODY = '{"order":42}'

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const available = hasRedis()
let redis
let redisUrl

before(async () => {
  if (!available) return
  const port = await freePort()
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  redisUrl = `redis://127.0.0.1:${port}/0`
  for (let i = 0; i < 200; i++) {
    try {
      new RedisReplayGuard(redisUrl)
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  throw new Error('redis-server did not start')
})

after(() => redis?.kill())

async function worker(guard) {
  const app = express()
  const options = { receiver: Receiver.dev(), replayGuard: guard, logger: null }
  app.post('/api/qstash', qstashVerified(options), (_req, res) => res.json({ ok: true }))
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const post = (token) =>
    fetch(`http://127.0.0.1:${server.address().port}/api/qstash`, {
      method: 'POST',
      body: BODY,
      headers: { 'content-type': 'application/json', 'upstash-signature': token },
      // A deadline that fails the test instead of letting it hang.
      signal: AbortSignal.timeout(20_000),
    })
  return { post, close: () => new Promise((resolve) => server.close(resolve)) }
}

const CHILD_WORKER = `
const { Receiver, RedisReplayGuard } = require(${JSON.stringify(`${here}/../lib/qstash.js`)})
const { withQStash } = require(${JSON.stringify(`${here}/../lib/fetch.js`)})
const [url, token, body] = process.argv.slice(1)
const handler = withQStash(async () => Response.json({ ok: true }), {
  receiver: Receiver.dev(), replayGuard: new RedisReplayGuard(url), logger: null,
})
handler(new Request(${JSON.stringify(URL_)}, { method: 'POST', body, headers: { 'upstash-signature': token } }))
  .then(async (r) => { console.log(r.status, await r.text()); process.exit(0) })
`

test('a token accepted by one worker is replayed at another process', { skip: !available }, async () => {
  const token = Signer.dev().sign(URL_, BODY)
  const first = await worker(new RedisReplayGuard(redisUrl))
  try {
    assert.equal((await first.post(token)).status, 200)
  } finally {
    await first.close()
  }
  const answer = execFileSync(process.execPath, ['-e', CHILD_WORKER, redisUrl, token, BODY], { encoding: 'utf8' })
  assert.equal(answer.trim(), '401 {"error":"invalid_signature","reason":"replayed"}')
})

test('with both in-memory and Redis protection the options are refused', { skip: !available }, () => {
  assert.throws(
    () =>
      qstashVerified({
        receiver: new Receiver({ devMode: true, replayProtection: true }),
        replayGuard: new RedisReplayGuard(redisUrl),
      }),
    /not both/,
  )
})

test('a Redis guard and a replayStore together are refused by the gate', { skip: !available }, () => {
  const replayStore = { claim: async () => true }
  assert.throws(
    () => new qstash.api.Gate({ receiver: Receiver.dev(), replayGuard: new RedisReplayGuard(redisUrl), replayStore }),
    (e) => e instanceof qstash.ConfigError && /not both/.test(e.message),
  )
})

test('a guard that cannot reach Redis throws at start-up', async () => {
  const port = await freePort()
  assert.throws(() => new RedisReplayGuard(`redis://127.0.0.1:${port}/0`), /cannot reach Redis/)
})

const redisCli = (...args) => execFileSync('redis-cli', ['-u', redisUrl, ...args], { encoding: 'utf8', timeout: 30_000 })

test('a store that does not answer in time refuses with 503 unless it fails open, which still refuses replays', {
  skip: !available,
}, async () => {
  const closed = await worker(new RedisReplayGuard(redisUrl, { timeoutMs: 300 }))
  const open = await worker(new RedisReplayGuard(redisUrl, { timeoutMs: 300, failOpen: true }))
  try {
    // While Redis answers, failing open changes nothing: a replay is refused.
    const token = Signer.dev().sign(URL_, BODY)
    assert.equal((await open.post(token)).status, 200)
    assert.deepEqual(await (await open.post(token)).json(), { error: 'invalid_signature', reason: 'replayed' })
    // Redis up but holding every write (its connections stay open): only the guard's timeout
    // ends the wait.
    redisCli('CLIENT', 'PAUSE', '600000', 'WRITE')
    let refused
    let accepted
    try {
      refused = await closed.post(Signer.dev().sign(URL_, BODY))
      accepted = await open.post(Signer.dev().sign(URL_, BODY))
    } finally {
      redisCli('CLIENT', 'UNPAUSE')
    }
    assert.equal(refused.status, 503)
    assert.deepEqual(await refused.json(), { error: 'replay_store_unavailable', reason: 'replay_store_unavailable' })
    assert.equal(accepted.status, 200)
  } finally {
    await closed.close()
    await open.close()
  }
})

test('a store that cannot answer refuses with 503 unless it fails open', { skip: !available }, async () => {
  const closed = await worker(new RedisReplayGuard(redisUrl, { timeoutMs: 300 }))
  const open = await worker(new RedisReplayGuard(redisUrl, { timeoutMs: 300, failOpen: true }))
  try {
    redis.kill()
    await new Promise((resolve) => redis.once('exit', resolve))
    const refused = await closed.post(Signer.dev().sign(URL_, BODY))
    assert.equal(refused.status, 503)
    assert.deepEqual(await refused.json(), { error: 'replay_store_unavailable', reason: 'replay_store_unavailable' })
    assert.equal((await open.post(Signer.dev().sign(URL_, BODY))).status, 200)
  } finally {
    await closed.close()
    await open.close()
  }
})
