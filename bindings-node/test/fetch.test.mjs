// The fetch-API helper, behind a real HTTP server on loopback that hands it WHATWG Requests
// (as Next.js, Hono and Bun do).
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { after, before, test } from 'node:test'
import { URL_, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { verifyRequest, withQStash } = require('../lib/fetch.js')
const { Receiver, Signer } = qstash
const BODY = '{"order":42}'
let server
let base

const routes = {
  '/api/qstash': withQStash(
    async (_request, delivery) => Response.json({ id: delivery.messageId, order: delivery.json().order, sub: delivery.claims.sub }),
    { receiver: Receiver.dev(), logger: null },
  ),
  '/api/small': async (request) => {
    const result = await verifyRequest(request, { receiver: Receiver.dev(), bodyLimit: 8, logger: null })
    return result.verified ? new Response('ok') : result.response
  },
}

before(async () => {
  server = createServer(async (req, res) => {
    const url = `http://${req.headers.host}${req.url}`
    const request = new Request(url, { method: req.method, headers: req.headers, body: Readable.toWeb(req), duplex: 'half' })
    const route = routes[new URL(url).pathname]
    const response = route ? await route(request) : new Response('not found', { status: 404 })
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

const post = (path, body, token) =>
  fetch(base + path, { method: 'POST', body, headers: token ? { 'upstash-signature': token, 'upstash-message-id': 'msg_f' } : {} })

test('valid delivery reaches the handler with the verified body', async () => {
  const r = await post('/api/qstash', BODY, Signer.dev().sign(URL_, BODY))
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { id: 'msg_f', order: 42, sub: URL_ })
})

test('refusals are 401 JSON with the reason', async () => {
  for (const [token, body, reason] of [
    [undefined, BODY, 'missing'],
    [Signer.dev().sign(URL_, BODY), '{"order":43}', 'body'],
    [Signer.dev().sign(URL_, BODY, { now: 1 }), BODY, 'expired'],
    [Signer.dev().sign('https://my-app.example.com/api/other', BODY), BODY, 'subject'],
  ]) {
    const r = await post('/api/qstash', body, token)
    assert.equal(r.status, 401)
    assert.deepEqual(await r.json(), { error: 'invalid_signature', reason })
  }
})

test('bodies over the limit are 413', async () => {
  const r = await post('/api/small', BODY, Signer.dev().sign('https://h/api/small', BODY))
  assert.equal(r.status, 413)
  assert.deepEqual(await r.json(), { error: 'payload_too_large', reason: 'payload_too_large' })
})

test('verifyRequest works on a Request directly', async () => {
  const request = new Request('https://my-app.example.com/api/qstash', {
    method: 'POST',
    body: BODY,
    headers: { 'upstash-signature': Signer.dev().sign(URL_, BODY) },
  })
  const result = await verifyRequest(request, { receiver: Receiver.dev() })
  assert.equal(result.verified, true)
  assert.equal(result.delivery.text(), BODY)
})
