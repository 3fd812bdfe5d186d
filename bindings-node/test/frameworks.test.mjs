// The framework subpaths, each under its official export name and driven by the framework
// itself: Hono through `app.request`, Next.js route handlers called with a `NextRequest` and a
// Pages Router API route behind a Node server, h3 (Nuxt's server) through its Node listener
// and its web handler. SvelteKit and SolidStart run real apps in `sveltekit.test.mjs` and
// `solidstart.test.mjs`; here their helpers also get the bare event shape (`{ request, locals }`).
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import { test } from 'node:test'
import { Hono } from 'hono'
import { NextRequest } from 'next/server.js'
import { createApp, createRouter, readRawBody, toNodeListener, toWebHandler } from 'h3'
import { qstash } from 'qstash-verify/hono'
import { verifySignature, verifySignatureAppRouter, verifySignatureEdge } from 'qstash-verify/nextjs'
import { verifySignatureH3 } from 'qstash-verify/h3'
import { verifySignatureNuxt } from 'qstash-verify/nuxt'
import { verifySignatureSvelte } from 'qstash-verify/svelte'
import { verifySignatureSolidjs } from 'qstash-verify/solidjs'
import { qstash as api } from './support.mjs'

const { Signer } = api
const BODY = '{"order":42}'
const URL_ = 'https://my-app.example.com/api/qstash'
const config = { devMode: true, logger: null }
const signed = () => ({
  'upstash-signature': Signer.dev().sign(URL_, BODY),
  'upstash-message-id': 'msg_fw',
  'content-type': 'application/json',
})

/** The two outcomes every helper must give: the handler's answer for a signed delivery, and
 * the gate's 401 `body` (never reaching the handler) for a tampered one. */
async function signedAndTampered(send) {
  const ok = await send(BODY, signed())
  assert.equal(ok.status, 200, await ok.clone().text())
  assert.deepEqual(await ok.json(), { order: 42, id: 'msg_fw' })
  const bad = await send('{"order":43}', signed())
  assert.equal(bad.status, 401)
  assert.deepEqual(await bad.json(), { error: 'invalid_signature', reason: 'body' })
  const none = await send(BODY, { 'content-type': 'application/json' })
  assert.equal(none.status, 401)
  assert.equal((await none.json()).reason, 'missing')
}

test('hono: qstash() middleware, body still readable by the handler', async () => {
  const app = new Hono()
  app.post('/api/qstash', qstash(config), async (c) => c.json({ order: (await c.req.json()).order, id: c.get('qstash').messageId }))
  await signedAndTampered((body, headers) => app.request('http://localhost/api/qstash', { method: 'POST', body, headers }))
})

test('next.js: verifySignatureAppRouter and verifySignatureEdge with NextRequest', async () => {
  const handler = async (request) => Response.json({ order: (await request.json()).order, id: request.headers.get('upstash-message-id') })
  for (const wrap of [verifySignatureAppRouter, verifySignatureEdge]) {
    const route = wrap(handler, config)
    await signedAndTampered((body, headers) => route(new NextRequest('http://localhost/api/qstash', { method: 'POST', body, headers })))
  }
})

test('next.js: verifySignature for a Pages Router API route (bodyParser off)', async () => {
  const route = verifySignature((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ order: req.body.order, id: req.qstash.messageId }))
  }, config)
  const server = createServer((req, res) => route(req, res))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    await signedAndTampered((body, headers) => fetch(`${base}/api/qstash`, { method: 'POST', body, headers }))
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

function h3App(wrap) {
  const router = createRouter().post(
    '/api/qstash',
    wrap(async (event) => ({ order: JSON.parse(await readRawBody(event)).order, id: event.context.qstash.messageId }), config),
  )
  return createApp().use(router)
}

test('h3 / nuxt: verifySignatureH3 and verifySignatureNuxt on the Node listener and the web handler', async () => {
  assert.equal(verifySignatureNuxt, verifySignatureH3)
  const server = createServer(toNodeListener(h3App(verifySignatureH3)))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    await signedAndTampered((body, headers) => fetch(`${base}/api/qstash`, { method: 'POST', body, headers }))
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  const web = toWebHandler(h3App(verifySignatureNuxt))
  await signedAndTampered((body, headers) => web(new Request('http://localhost/api/qstash', { method: 'POST', body, headers })))
})

/** Serves a Node request listener on loopback for the length of `use`. */
async function serving(listener, use) {
  const server = createServer(listener)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    return await use(server.address().port)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** A POST whose `Host` header is whatever `host` is (no client library sends a malformed one
 * on its own); resolves the status code and the body. */
function postWithHost(port, host, path, headers, body) {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST', setHost: false, headers: { ...headers, host } })
    outgoing.on('error', reject)
    outgoing.on('response', (response) => {
      let text = ''
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode, body: text }))
    })
    outgoing.end(body)
  })
}

test('h3 / nuxt under a prefix compare the target the delivery arrived with', async () => {
  // `app.use('/api', …)` (and Nitro's baseURL) strip the prefix from `req.url` before the
  // handler runs; QStash signed the whole URL.
  const hook = verifySignatureH3(
    async (event) => ({ order: JSON.parse(await readRawBody(event)).order, id: event.context.qstash.messageId }),
    config,
  )
  const app = createApp().use('/api', createApp().use(createRouter().post('/qstash', hook)))
  const headers = (url) => ({ ...signed(), 'upstash-signature': Signer.dev().sign(url, BODY) })
  await serving(toNodeListener(app), async (port) => {
    const base = `http://127.0.0.1:${port}`
    const ok = await fetch(`${base}/api/qstash`, { method: 'POST', body: BODY, headers: headers('https://my-app.example.com/api/qstash') })
    assert.equal(ok.status, 200, await ok.clone().text())
    assert.deepEqual(await ok.json(), { order: 42, id: 'msg_fw' })
    // A token minted for the route without its prefix is for another URL.
    const stripped = await fetch(`${base}/api/qstash`, {
      method: 'POST',
      body: BODY,
      headers: headers('https://my-app.example.com/qstash'),
    })
    assert.equal(stripped.status, 401)
    assert.deepEqual(await stripped.json(), { error: 'invalid_signature', reason: 'subject' })
  })
  const web = toWebHandler(app)
  const ok = await web(
    new Request('http://localhost/api/qstash', { method: 'POST', body: BODY, headers: headers('https://my-app.example.com/api/qstash') }),
  )
  assert.equal(ok.status, 200)
  const stripped = await web(
    new Request('http://localhost/api/qstash', { method: 'POST', body: BODY, headers: headers('https://my-app.example.com/qstash') }),
  )
  assert.equal(stripped.status, 401)
})

test('a malformed Host is a refusal or a delivery, never a 500, in the Node helpers', async () => {
  const pages = verifySignature((req, res) => res.end(JSON.stringify({ id: req.qstash.messageId })), config)
  const h3 = toNodeListener(h3App(verifySignatureH3))
  for (const [name, listener] of [
    ['pages router', (req, res) => pages(req, res)],
    ['h3', h3],
  ]) {
    await serving(listener, async (port) => {
      for (const host of ['a b', 'example.com:99999', '[::1']) {
        const unsigned = await postWithHost(port, host, '/api/qstash', { 'content-type': 'application/json' }, BODY)
        assert.equal(unsigned.status, 401, `${name}, Host ${host}: ${unsigned.body}`)
        assert.deepEqual(JSON.parse(unsigned.body), { error: 'invalid_signature', reason: 'missing' })
        const delivered = await postWithHost(port, host, '/api/qstash', signed(), BODY)
        assert.equal(delivered.status, 200, `${name}, Host ${host}: ${delivered.body}`)
      }
    })
  }
})

test('sveltekit and solidstart event shapes: the handler gets the event, the delivery is in locals', async () => {
  for (const wrap of [verifySignatureSvelte, verifySignatureSolidjs]) {
    const route = wrap(
      async (event) => Response.json({ order: (await event.request.json()).order, id: event.locals.qstash.messageId }),
      config,
    )
    await signedAndTampered((body, headers) =>
      route({ request: new Request('http://localhost/api/qstash', { method: 'POST', body, headers }), locals: {}, params: {} }),
    )
  }
})
