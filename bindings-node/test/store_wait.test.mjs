// Deliveries waiting for the replay store hold nothing but their own request: the event loop
// answers, libuv's thread pool (file reads, DNS, zlib, crypto) keeps working, and a store that
// does not answer in time ends in the documented 503.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import express from 'express'
import { heldStore } from './held_store.mjs'
import { URL_, here, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { withQStash } = require('../lib/fetch.js')
const { Receiver, RedisReplayGuard, Signer } = qstash
const BODY = '{"order":42}'

/** `promise`, or a failure naming `what` after `ms` milliseconds. */
async function within(ms, promise, what) {
  let timer
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

async function serve(app, use) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    return await use(`http://127.0.0.1:${server.address().port}`)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

test('eight deliveries waiting for the store leave the thread pool and the event loop free', async () => {
  const store = await heldStore()
  // Longer than any wait below: the deliveries end because the store answers, not by timeout.
  const replayGuard = new RedisReplayGuard(store.url, { timeoutMs: 30_000 })
  const app = express()
  app.post('/api/qstash', qstashVerified({ receiver: Receiver.dev(), replayGuard, logger: null }), (_req, res) => res.send('ok'))
  app.get('/health', (_req, res) => res.send('up'))
  try {
    await serve(app, async (base) => {
      // More than libuv's four pool threads.
      let settled = 0
      const deliveries = Array.from({ length: 8 }, () =>
        fetch(`${base}/api/qstash`, { method: 'POST', body: BODY, headers: { 'upstash-signature': Signer.dev().sign(URL_, BODY) } }).then(
          (response) => {
            settled += 1
            return response.status
          },
        ),
      )
      await within(20_000, store.waitForSets(8), 'eight SETs reaching the store')
      // Every delivery is now waiting for the store; the pool and the loop still work.
      // A deadline of its own: a pool that is blocked fails the test instead of hanging it.
      const source = await within(10_000, readFile(join(here, 'support.mjs'), 'utf8'), 'a file read on the thread pool')
      assert.match(source, /export const qstash/)
      assert.equal(await (await fetch(`${base}/health`)).text(), 'up')
      assert.equal(settled, 0, 'a delivery ended before the store answered')
      store.release()
      assert.deepEqual(await Promise.all(deliveries), Array(8).fill(200))
    })
  } finally {
    await store.close()
  }
})

test('a store that does not answer in time refuses with 503 replay_store_unavailable', async () => {
  const store = await heldStore()
  try {
    const replayGuard = new RedisReplayGuard(store.url, { timeoutMs: 200 })
    const route = withQStash(async () => new Response('never'), { receiver: Receiver.dev(), replayGuard, logger: null })
    const token = Signer.dev().sign(URL_, BODY)
    const answer = await route(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token } }))
    assert.equal(answer.status, 503)
    assert.deepEqual(await answer.json(), { error: 'replay_store_unavailable', reason: 'replay_store_unavailable' })
    const failOpen = new RedisReplayGuard(store.url, { timeoutMs: 200, failOpen: true })
    const open = withQStash(async () => new Response('accepted'), { receiver: Receiver.dev(), replayGuard: failOpen, logger: null })
    const accepted = await open(
      new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': Signer.dev().sign(URL_, BODY) } }),
    )
    assert.equal(await accepted.text(), 'accepted')
  } finally {
    await store.close()
  }
})

test('a store timeout above one second waits for a store that answers within it', async () => {
  // The store answers after 1.5 s; the guard waits up to 3 s. (The connection's own reply
  // timeout was once a fixed second, which answered 503 after 1.00 s whatever was set.)
  const store = await heldStore({ answerAfterMs: 1500 })
  try {
    const replayGuard = new RedisReplayGuard(store.url, { timeoutMs: 3000 })
    const route = withQStash(async () => new Response('accepted'), { receiver: Receiver.dev(), replayGuard, logger: null })
    const token = Signer.dev().sign(URL_, BODY)
    const answer = await route(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token } }))
    assert.deepEqual([answer.status, await answer.text()], [200, 'accepted'])
  } finally {
    await store.close()
  }
})

test('a store timeout above one second ends the wait on a store that never answers', async () => {
  // Only the guard's own timeout (1.5 s) can end this wait; the race fails the test rather
  // than leaving it waiting when nothing does.
  const store = await heldStore()
  try {
    const replayGuard = new RedisReplayGuard(store.url, { timeoutMs: 1500 })
    const route = withQStash(async () => new Response('never'), { receiver: Receiver.dev(), replayGuard, logger: null })
    const token = Signer.dev().sign(URL_, BODY)
    const delivery = route(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token } }))
    const answer = await within(20_000, delivery, 'the delivery (only the guard timeout can end its wait)')
    assert.equal(answer.status, 503)
    assert.deepEqual(await answer.json(), { error: 'replay_store_unavailable', reason: 'replay_store_unavailable' })
  } finally {
    await store.close()
  }
})
