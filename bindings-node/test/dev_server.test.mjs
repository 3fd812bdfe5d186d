// The local QStash (`qstash-kit dev`) with a client no one here wrote: the official
// @upstash/qstash `Client`, pointed at the dev server, publishes to an Express endpoint behind
// `qstashVerified` with the development keys; the delivery arrives signed and verifies, and a
// failing endpoint's message ends in the DLQ the official client then lists.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import express from 'express'
import { Client } from '@upstash/qstash'
import { firstLine, here, qstash } from './support.mjs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { Receiver } = qstash

let dev
let env
let server
let base
const waiting = new Map()

/** Resolves with the next verified delivery to `path`; rejects when none comes within 20 s. */
const delivered = (path) =>
  new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no delivery to ${path} within 20 s`)), 20_000)
    waiting.set(path, (delivery) => {
      clearTimeout(deadline)
      resolve(delivery)
    })
  })

before(async () => {
  dev = spawn('cargo', ['run', '-q', '-p', 'qstash-kit', '--', '--json', 'dev', '--port', '0', '--fast-retries'], {
    cwd: join(here, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  env = JSON.parse(await firstLine(dev, 'qstash-kit dev'))

  const app = express()
  const verified = qstashVerified({ receiver: Receiver.dev(), logger: null })
  app.post('/hook', verified, (req, res) => {
    waiting.get('/hook')?.({ body: req.body, messageId: req.qstash.messageId, sub: req.qstash.claims.sub })
    res.json({ ok: true })
  })
  app.post('/fail', verified, (_req, res) => res.status(500).send('broken'))
  app.post('/ok', (_req, res) => res.status(202).send('stored'))
  app.post('/down', (_req, res) => res.status(503).send('down for maintenance'))
  app.post('/callback', verified, (req, res) => {
    waiting.get('/callback')?.(req.qstash.callback())
    res.json({ ok: true })
  })
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(async () => {
  dev?.kill('SIGINT')
  await new Promise((resolve) => server?.close(resolve) ?? resolve())
})

test('the official client publishes through qstash-kit dev and the delivery verifies', async () => {
  const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
  const arrived = delivered('/hook')
  const { messageId } = await client.publishJSON({ url: `${base}/hook`, body: { order: 42 } })
  const delivery = await arrived
  assert.deepEqual(delivery, { body: { order: 42 }, messageId, sub: `${base}/hook` })
})

test('qstash-kit publish goes through the dev server to the Express endpoint too', async () => {
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  // The command line is built first (a cold build, beside other builds, takes longer than a
  // delivery may): the delivery's deadline starts once it has published.
  await promisify(execFile)('cargo', ['build', '-q', '-p', 'qstash-kit'], { cwd: join(here, '..', '..') })
  const arrived = delivered('/hook')
  const { stdout: out } = await promisify(execFile)(
    'cargo',
    [
      'run',
      '-q',
      '-p',
      'qstash-kit',
      '--',
      '--json',
      'publish',
      `${base}/hook`,
      '--data',
      '{"order":7}',
      '--content-type',
      'application/json',
      '--api-url',
      env.QSTASH_URL,
      '--token',
      env.QSTASH_TOKEN,
    ],
    { cwd: join(here, '..', '..'), encoding: 'utf8' },
  )
  const messageId = JSON.parse(out).messages[0].messageId
  assert.deepEqual(await arrived, { body: { order: 7 }, messageId, sub: `${base}/hook` })
})

test('a failing endpoint ends in the DLQ, which the official client lists', async () => {
  const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
  const { messageId } = await client.publish({ url: `${base}/fail`, body: 'doomed', retries: 1 })
  let messages = []
  for (let i = 0; i < 100 && messages.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    messages = (await client.dlq.listMessages()).messages.filter((m) => m.messageId === messageId)
  }
  assert.equal(messages.length, 1)
  assert.equal(messages[0].responseStatus, 500)
  assert.equal(messages[0].responseBody, 'broken')
})

test('callbacks the dev server sends arrive verified and typed, both bodies decoded', async () => {
  const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
  let arrived = delivered('/callback')
  const { messageId } = await client.publishJSON({ url: `${base}/ok`, body: { order: 1 }, callback: `${base}/callback` })
  const done = await arrived
  assert.deepEqual(
    [done.sourceMessageId, done.status, done.body.toString(), done.sourceBody.toString(), done.dlqId, done.url],
    [messageId, 202, 'stored', '{"order":1}', null, `${base}/ok`],
  )

  arrived = delivered('/callback')
  const failed = await client.publish({ url: `${base}/down`, body: 'doomed', retries: 1, failureCallback: `${base}/callback` })
  const failure = await arrived
  assert.deepEqual(
    [failure.sourceMessageId, failure.status, failure.body.toString(), failure.retried, failure.sourceBody.toString()],
    [failed.messageId, 503, 'down for maintenance', 1, 'doomed'],
  )
  assert.match(failure.dlqId, /^dlq_/)
})

test('the official client cancels a waiting message through qstash-kit dev', async () => {
  const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
  const { messageId } = await client.publishJSON({ url: `${base}/hook`, body: { order: 9 }, delay: 3600 })
  // An empty answer made this throw "Unexpected end of JSON input".
  await client.messages.cancel(messageId)
  await assert.rejects(client.messages.get(messageId), /not found/)
})
