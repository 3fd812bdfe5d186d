// The Express middleware over real HTTP on loopback.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, test } from 'node:test'
import express from 'express'
import { URL_, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { Receiver, Signer } = qstash
const BODY = '{"order":42}'
let server
let base

before(async () => {
  const app = express()
  const quiet = { receiver: Receiver.dev(), logger: null }
  app.post('/api/qstash', qstashVerified(quiet), (req, res) => {
    res.json({ id: req.qstash.messageId, retried: req.qstash.retried, sub: req.qstash.claims.sub, body: req.body })
  })
  app.post('/api/small', qstashVerified({ ...quiet, bodyLimit: 8 }), (_req, res) => res.send('ok'))
  app.post('/api/raw', qstashVerified({ ...quiet, checkUrl: false }), (req, res) => res.send(req.qstash.body))
  app.post('/api/late', express.json(), qstashVerified(quiet), (_req, res) => res.send('never'))
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

function post(path, body, token, headers = {}, at = base) {
  const h = { 'content-type': 'application/json', 'upstash-message-id': 'msg_1', 'upstash-retried': '2', ...headers }
  if (token != null) h['upstash-signature'] = token
  return fetch(at + path, { method: 'POST', body, headers: h })
}

test('valid delivery reaches the handler with req.qstash and the parsed body', async () => {
  const r = await post('/api/qstash', BODY, Signer.dev().sign(URL_, BODY))
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { id: 'msg_1', retried: 2, sub: URL_, body: { order: 42 } })
})

test('every refusal is 401 JSON with the reason, never 500', async () => {
  const cases = [
    [undefined, BODY, 'missing'],
    ['x.y.z', BODY, 'malformed'],
    [new Signer('sig_attackerKey').sign(URL_, BODY), BODY, 'signature'],
    [Signer.dev().sign(URL_, BODY, { now: 1 }), BODY, 'expired'],
    [Signer.dev().sign('https://my-app.example.com/api/other', BODY), BODY, 'subject'],
    [Signer.dev().sign(URL_, BODY), '{"order":43}', 'body'],
  ]
  for (const [token, body, reason] of cases) {
    const r = await post('/api/qstash', body, token)
    assert.equal(r.status, 401, reason)
    assert.equal(r.headers.get('www-authenticate'), 'Upstash-Signature')
    assert.deepEqual(await r.json(), { error: 'invalid_signature', reason })
  }
})

test('the query is part of the checked URL', async () => {
  const token = Signer.dev().sign('https://public.example.org/api/qstash?tenant=1', BODY)
  assert.equal((await post('/api/qstash', BODY, token)).status, 401)
  assert.equal((await post('/api/qstash?tenant=1', BODY, token)).status, 200)
})

test('bodies over the limit are 413, declared or streamed', async () => {
  const token = Signer.dev().sign('https://h.example/api/small', BODY)
  const r = await post('/api/small', BODY, token)
  assert.equal(r.status, 413)
  assert.deepEqual(await r.json(), { error: 'payload_too_large', reason: 'payload_too_large' })
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(BODY.slice(0, 6)))
      c.enqueue(new TextEncoder().encode(BODY.slice(6)))
      c.close()
    },
  })
  const chunked = await fetch(`${base}/api/small`, {
    method: 'POST',
    body: stream,
    duplex: 'half',
    headers: { 'upstash-signature': token },
  })
  assert.equal(chunked.status, 413)
})

test('binary bodies arrive intact', async () => {
  const binary = Buffer.from([0xff, 0x00, 0xfe, 0x10])
  const r = await post('/api/raw', binary, Signer.dev().sign(URL_, binary), { 'content-type': 'application/octet-stream' })
  assert.equal(r.status, 200)
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), binary)
})

test('mounted after a body parser that kept no bytes it refuses with 400 and says how to mount it', async () => {
  const logged = []
  const app = express()
  const logger = { warn: () => {}, error: (line) => logged.push(line) }
  app.post('/api/late', express.json(), qstashVerified({ receiver: Receiver.dev(), logger }), (_req, res) => res.send('never'))
  await withServer(app, async (at) => {
    const r = await post('/api/late', BODY, Signer.dev().sign('https://h.example/api/late', BODY), {}, at)
    assert.equal(r.status, 400)
    assert.deepEqual(await r.json(), { error: 'unreadable_body', reason: 'unreadable_body' })
  })
  assert.equal(logged.length, 1)
  assert.match(logged[0], /before body parsers/)
  assert.match(logged[0], /express\.raw\(\{ type: '\*\/\*' \}\)/)
})

test('after a body parser that keeps the raw bytes it verifies exactly those bytes', async () => {
  // The set-ups webhook guides show: `express.raw` leaves the bytes in `req.body`, the
  // `verify` option of `express.json` keeps them in `req.rawBody`.
  const keepRaw = (req, _res, buf) => {
    req.rawBody = buf
  }
  const app = express()
  const quiet = { receiver: Receiver.dev(), logger: null }
  const answer = (req, res) => res.json({ id: req.qstash.messageId, body: req.body, bytes: req.qstash.body.length })
  app.post('/api/raw-parser', express.raw({ type: '*/*' }), qstashVerified(quiet), answer)
  app.post('/api/json-verify', express.json({ verify: keepRaw }), qstashVerified(quiet), answer)
  app.use('/mounted', express.raw({ type: '*/*' }), express.Router().post('/hook', qstashVerified(quiet), answer))
  await withServer(app, async (at) => {
    for (const path of ['/api/raw-parser', '/api/json-verify', '/mounted/hook']) {
      const url = `https://my-app.example.com${path}`
      const ok = await post(path, BODY, Signer.dev().sign(url, BODY), {}, at)
      assert.equal(ok.status, 200, `${path}: ${await ok.clone().text()}`)
      assert.deepEqual(await ok.json(), { id: 'msg_1', body: { order: 42 }, bytes: BODY.length }, path)
      // The kept bytes are what is checked: a tampered body is refused as such.
      const tampered = await post(path, '{"order":43}', Signer.dev().sign(url, BODY), {}, at)
      assert.equal(tampered.status, 401, path)
      assert.deepEqual(await tampered.json(), { error: 'invalid_signature', reason: 'body' }, path)
    }
  })
})

test('with replay protection the second delivery of a token is 401 replayed, not 500', async () => {
  const app = express()
  const receiver = new Receiver({ devMode: true, replayProtection: true })
  app.post('/api/qstash', qstashVerified({ receiver, logger: null }), (_req, res) => res.send('ok'))
  await withServer(app, async (at) => {
    const token = Signer.dev().sign(URL_, BODY)
    const first = await post('/api/qstash', BODY, token, {}, at)
    assert.equal(first.status, 200)
    const again = await post('/api/qstash', BODY, token, {}, at)
    assert.equal(again.status, 401)
    assert.deepEqual(await again.json(), { error: 'invalid_signature', reason: 'replayed' })
  })
})

test('after an async middleware the delivery still verifies', async () => {
  const app = express()
  // What a session store or a rate limiter does: the request waits before the next handler,
  // long enough for the whole body to arrive.
  app.use(async (_req, _res, next) => {
    await new Promise((resolve) => setTimeout(resolve, 50))
    next()
  })
  app.post('/api/qstash', qstashVerified({ receiver: Receiver.dev(), logger: null }), (req, res) => res.json({ body: req.body }))
  await withServer(app, async (at) => {
    const r = await post('/api/qstash', BODY, Signer.dev().sign(URL_, BODY), {}, at)
    assert.equal(r.status, 200)
    assert.deepEqual(await r.json(), { body: { order: 42 } })
    const tampered = await post('/api/qstash', '{"order":43}', Signer.dev().sign(URL_, BODY), {}, at)
    assert.deepEqual(await tampered.json(), { error: 'invalid_signature', reason: 'body' })
  })
})

async function withServer(app, use) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    await use(`http://127.0.0.1:${server.address().port}`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}
