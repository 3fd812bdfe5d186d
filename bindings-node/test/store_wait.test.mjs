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
  app.post('/api/qstash', qstashVerified({ receiver: Receiver.dev(), replayGuard, logger: null }), (req, res) => res.send('ok'))
  app.get('/health', (req, res) => res.send('up'))
  try {
    await serve(app, async (base) => {
      // More than libuv's four pool threads.
      let settled = 0
      const deliveries = Array.from({ length: 8 }, () =>
        fetch(`${base}/api/qstash`, { method: 'POST', body: BODY, headers: { 'upstash-signature': Signer.dev().sign(URL_, BODY) } })
          .then((response) => {
            settled += 1
            return response.status
          }),
      )
      await store.waitForSets(8)
      // Every delivery is now waiting for the store; the pool and the loop still work.
      const source = await readFile(join(here, 'support.mjs'), 'utf8')
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
    const accepted = await open(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': Signer.dev().sign(URL_, BODY) } }))
    assert.equal(await accepted.text(), 'accepted')
  } finally {
    await store.close()
  }
})
