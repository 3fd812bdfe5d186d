// Koa as its users set it up: `app.use(bodyParser())` at the top, then the verifier. The bytes
// the parser kept (`ctx.request.rawBody`) are what is verified; after a parser that kept none
// the answer is 400 with a log line saying how to mount it. Never no answer at all (the
// middleware once waited forever for a stream the parser had already read).
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Koa from 'koa'
import bodyParser from 'koa-bodyparser'
import { qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/koa.js')
const { Receiver, Signer } = qstash
const BODY = '{"order":42}'
const URL_ = 'http://127.0.0.1/api/qstash'

async function serve(app, use) {
  const server = http.createServer(app.callback())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    return await use(async (body, token) => {
      // A deadline of its own: a middleware that never answers fails the test, never hangs it.
      const r = await fetch(`http://127.0.0.1:${server.address().port}/api/qstash`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'upstash-signature': token },
        signal: AbortSignal.timeout(10_000),
      })
      return { status: r.status, body: await r.json() }
    })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

test('after app.use(bodyParser()) it verifies the bytes the parser kept', async () => {
  const app = new Koa()
  app.use(bodyParser())
  app.use(qstashVerified({ receiver: Receiver.dev(), logger: null }))
  app.use((ctx) => {
    ctx.body = { id: ctx.state.qstash.claims.sub, order: ctx.request.body, bytes: ctx.request.rawBody.length }
  })
  await serve(app, async (post) => {
    const token = Signer.dev().sign(URL_, BODY)
    assert.deepEqual(await post(BODY, token), { status: 200, body: { id: URL_, order: { order: 42 }, bytes: BODY.length } })
    assert.deepEqual(await post('{"order":43}', Signer.dev().sign(URL_, BODY)), {
      status: 401,
      body: { error: 'invalid_signature', reason: 'body' },
    })
  })
})

test('after a parser that kept no bytes it answers 400 and says how to mount it', async () => {
  const logged = []
  const app = new Koa()
  // A parser that reads the stream to its end and keeps only the parsed value.
  app.use(async (ctx, next) => {
    const chunks = []
    for await (const chunk of ctx.req) chunks.push(chunk)
    ctx.request.body = JSON.parse(Buffer.concat(chunks).toString())
    await next()
  })
  app.use(qstashVerified({ receiver: Receiver.dev(), logger: { error: (line) => logged.push(line), warn: () => {} } }))
  app.use((ctx) => {
    ctx.body = { reached: true }
  })
  await serve(app, async (post) => {
    assert.deepEqual(await post(BODY, Signer.dev().sign(URL_, BODY)), {
      status: 400,
      body: { error: 'unreadable_body', reason: 'unreadable_body' },
    })
  })
  assert.equal(logged.length, 1)
  assert.match(logged[0], /before the body parser/)
})
