// After `npm install qstash-verify fastify koa`: the README's Fastify hook and Koa middleware,
// from the installed package, accept a signed delivery and refuse a tampered one.
const assert = require('node:assert/strict')
const http = require('node:http')
const Fastify = require('fastify')
const Koa = require('koa')
const { Receiver, Signer } = require('qstash-verify')
const { qstashVerified: fastifyVerified } = require('qstash-verify/fastify')
const { qstashVerified: koaVerified } = require('qstash-verify/koa')

const BODY = '{"id":7}'
const options = { receiver: Receiver.dev(), logger: null }

async function fastifyAnswers(body) {
  const app = Fastify()
  app.post('/api/qstash', { preParsing: fastifyVerified(options) }, async (request) => ({ id: request.body.id, message: request.qstash.messageId }))
  const token = Signer.dev().sign('http://localhost:80/api/qstash', Buffer.from(BODY))
  const response = await app.inject({ method: 'POST', url: '/api/qstash', payload: body, headers: { 'upstash-signature': token, 'content-type': 'application/json', 'upstash-message-id': 'msg_7' } })
  return [response.statusCode, response.json()]
}

async function koaAnswers(body) {
  const app = new Koa()
  app.use(koaVerified(options))
  app.use((ctx) => {
    ctx.body = { id: ctx.request.body.id, message: ctx.state.qstash.messageId }
  })
  const server = http.createServer(app.callback())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${server.address().port}/api/qstash`
    const token = Signer.dev().sign(url, Buffer.from(BODY))
    const response = await fetch(url, { method: 'POST', body, headers: { 'upstash-signature': token, 'content-type': 'application/json', 'upstash-message-id': 'msg_7' } })
    return [response.status, await response.json()]
  } finally {
    server.close()
  }
}

;(async () => {
  for (const [name, answers] of [['fastify', fastifyAnswers], ['koa', koaAnswers]]) {
    assert.deepEqual(await answers(BODY), [200, { id: 7, message: 'msg_7' }], name)
    assert.deepEqual(await answers('{"id":8}'), [401, { error: 'invalid_signature', reason: 'body' }], name)
    console.log(`${name}: ok`)
  }
})().catch((error) => {
  console.error(error)
  process.exit(1)
})
