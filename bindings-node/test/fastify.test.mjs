// The Fastify plugin keeps Fastify's encapsulation: inside the plugin that holds the webhook
// routes it guards that scope's routes and nothing else; on the root instance, where it would
// lock out every other route (`GET /health` answered 401), it refuses to load and says how to
// scope it. `request.qstash` is the delivery in a guarded handler.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Fastify from 'fastify'
import { qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { fastifyQStash, qstashVerified } = require('../lib/fastify.js')
const { ConfigError, Receiver, Signer } = qstash
const BODY = '{"order":42}'
const options = { receiver: Receiver.dev(), logger: null }

async function listen(app, use) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    const base = `http://127.0.0.1:${app.server.address().port}`
    return await use(async (method, path, token) => {
      const headers = { 'content-type': 'application/json' }
      if (token) headers['upstash-signature'] = token
      const r = await fetch(base + path, { method, headers, body: method === 'GET' ? undefined : BODY })
      return { status: r.status, body: await r.text() }
    })
  } finally {
    await app.close()
  }
}

test('registered inside the webhooks plugin it guards that scope only', async () => {
  const app = Fastify()
  app.get('/health', async () => 'up')
  app.post('/api/orders', async () => 'open')
  app.register(async (webhooks) => {
    webhooks.post('/api/early', async (request) => request.qstash.claims.sub)
    await webhooks.register(fastifyQStash, options)
    webhooks.post('/api/qstash', async (request) => request.qstash.claims.sub)
  })
  await listen(app, async (send) => {
    assert.deepEqual(await send('GET', '/health'), { status: 200, body: 'up' })
    assert.deepEqual(await send('POST', '/api/orders'), { status: 200, body: 'open' })
    for (const path of ['/api/qstash', '/api/early']) {
      assert.equal((await send('POST', path)).status, 401, path)
      const url = `https://my-app.example.com${path}`
      assert.deepEqual(await send('POST', path, Signer.dev().sign(url, BODY)), { status: 200, body: url }, path)
    }
  })
})

test('registered on the root instance it refuses to load, saying how to scope it', async () => {
  const app = Fastify()
  app.get('/health', async () => 'up')
  app.register(fastifyQStash, options)
  await assert.rejects(app.ready(), (error) => {
    assert.ok(error instanceof ConfigError, String(error))
    assert.match(error.message, /would guard every route/)
    assert.match(error.message, /webhooks\.register\(fastifyQStash\)/)
    assert.match(error.message, /preParsing: qstashVerified\(\)/)
    return true
  })
})

test('per route, the hook guards that route alone', async () => {
  const app = Fastify()
  app.get('/health', async () => 'up')
  app.post('/api/qstash', { preParsing: qstashVerified(options) }, async (request) => request.qstash.messageId ?? 'none')
  await listen(app, async (send) => {
    assert.deepEqual(await send('GET', '/health'), { status: 200, body: 'up' })
    assert.equal((await send('POST', '/api/qstash')).status, 401)
  })
})
