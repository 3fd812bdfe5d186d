// The framework subpaths, each under its official export name and driven by the framework
// itself: Hono through `app.request`, Next.js route handlers called with a `NextRequest` and a
// Pages Router API route behind a Node server, h3 (Nuxt's server) through its Node listener
// and its web handler. SvelteKit and SolidStart run real apps in `sveltekit.test.mjs` and
// `solidstart.test.mjs`; here their helpers also get the bare event shape (`{ request, locals }`).
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
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
const signed = () => ({ 'upstash-signature': Signer.dev().sign(URL_, BODY), 'upstash-message-id': 'msg_fw', 'content-type': 'application/json' })

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

test('sveltekit and solidstart event shapes: the handler gets the event, the delivery is in locals', async () => {
  for (const wrap of [verifySignatureSvelte, verifySignatureSolidjs]) {
    const route = wrap(async (event) => Response.json({ order: (await event.request.json()).order, id: event.locals.qstash.messageId }), config)
    await signedAndTampered((body, headers) =>
      route({ request: new Request('http://localhost/api/qstash', { method: 'POST', body, headers }), locals: {}, params: {} }),
    )
  }
})
