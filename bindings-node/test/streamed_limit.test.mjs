// A delivery with a valid token whose chunked body passes the body limit and then keeps
// coming after the 413 was sent: every Node helper that reads a message stream answers 413
// and the process lives on to answer the next request (the Next.js Pages Router helper and h3
// once turned the stream into a web stream, whose adapter threw `ERR_INVALID_STATE` on the
// chunks after the refusal and ended the process). The client writes its next chunks only
// once it has the answer, so they arrive after the refusal every time.
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import express from 'express'
import Koa from 'koa'
import { createApp, createRouter, toNodeListener } from 'h3'
import { verifySignatureH3 } from 'qstash-verify/h3'
import { verifySignature } from 'qstash-verify/nextjs'
import { qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { qstashVerified: koaVerified } = require('../lib/koa.js')
const { Receiver, Signer } = qstash

const LIMIT = 8
const BODY = 'x'.repeat(64)
const options = { receiver: Receiver.dev(), bodyLimit: LIMIT, logger: null, checkUrl: false }

const listeners = {
  'next pages router': () => verifySignature((_req, res) => res.end('never'), options),
  h3: () =>
    toNodeListener(
      createApp().use(
        createRouter().post(
          '/api/qstash',
          verifySignatureH3(async () => 'never', options),
        ),
      ),
    ),
  express: () => express().post('/api/qstash', qstashVerified(options), (_req, res) => res.send('never')),
  koa: () => {
    const app = new Koa()
    app.use(koaVerified(options))
    return app.callback()
  },
}

/** Posts BODY chunked: the first 16 bytes (past the limit), then, once the answer is in, the
 * rest; resolves with the answer's status and body. */
function postPastTheLimit(port) {
  return new Promise((resolve, reject) => {
    const token = Signer.dev().sign('http://127.0.0.1/api/qstash', BODY)
    const outgoing = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/qstash', headers: { 'upstash-signature': token } })
    outgoing.on('error', (error) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)))
    outgoing.on('response', (response) => {
      // The refusal is in: everything written now arrives after it.
      for (let at = 16; at < BODY.length; at += 4) outgoing.write(BODY.slice(at, at + 4))
      outgoing.end()
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString() }))
    })
    outgoing.write(BODY.slice(0, 16))
  })
}

for (const [name, listener] of Object.entries(listeners)) {
  test(`${name}: a chunked body still arriving after its 413 leaves the server answering`, async () => {
    const server = http.createServer(listener())
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = server.address().port
      for (let round = 0; round < 3; round++) {
        const answer = await postPastTheLimit(port)
        assert.deepEqual(answer, { status: 413, body: '{"error":"payload_too_large","reason":"payload_too_large"}' }, `round ${round}`)
      }
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
}
