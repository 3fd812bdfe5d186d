// Every delivery's outcome (SPEC.md §7.8): handed to `onOutcome` once, and counted in
// OpenTelemetry's `qstash.deliveries` (read through the SDK's own metric reader), after a
// valid, a replayed, a tampered, an expired and a next-key delivery, through Express and fetch.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { metrics } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import express from 'express'
import { URL_, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { verifyRequest } = require('../lib/fetch.js')
const { Receiver, Signer } = qstash
const BODY = '{"order":42}'

/** A reader that collects when asked: the SDK's `MetricReader` with nothing to flush. */
class Collect extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new Collect()
// The global provider is set once per process; node:test runs each file in its own process.
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

async function counts() {
  const { resourceMetrics } = await reader.collect()
  const found = new Map()
  for (const scope of resourceMetrics.scopeMetrics) {
    // SPEC.md §7.8: the meter is `qstash-verify` in every language.
    if (scope.scope.name !== 'qstash-verify') continue
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'qstash.deliveries') continue
      for (const point of metric.dataPoints) {
        const a = point.attributes
        found.set(`${a.outcome} ${a.reason} ${a.key} ${a.region}`, point.value)
      }
    }
  }
  return found
}

const EXPECTED = [
  'accepted none current default',
  'rejected replayed none none',
  'rejected body none none',
  'rejected expired none none',
  'accepted none next default',
]

/** The five deliveries through `send(token, body)`, each answer's status checked. */
async function fiveDeliveries(send) {
  const valid = Signer.dev().sign(URL_, BODY)
  assert.equal(await send(valid, BODY), 200)
  assert.equal(await send(valid, BODY), 401)
  assert.equal(await send(Signer.dev().sign(URL_, BODY), '{"order":43}'), 401)
  assert.equal(await send(Signer.dev().sign(URL_, BODY, { now: 1 }), BODY), 401)
  assert.equal(await send(Signer.devNext().sign(URL_, BODY), BODY), 200)
}

const rows = (seen) => seen.map((o) => `${o.outcome} ${o.reason} ${o.key} ${o.region}`)

test('express: each delivery reaches onOutcome once and OpenTelemetry counts it by reason', async () => {
  const before = await counts()
  const seen = []
  const app = express()
  const receiver = new Receiver({ devMode: true, replayProtection: true })
  app.post('/api/qstash', qstashVerified({ receiver, logger: null, onOutcome: (o) => seen.push(o) }), (_req, res) => res.send('ok'))
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const at = `http://127.0.0.1:${server.address().port}/api/qstash`
    await fiveDeliveries(async (token, body) => {
      const headers = { 'content-type': 'application/json', 'upstash-signature': token, 'upstash-message-id': 'm' }
      return (await fetch(at, { method: 'POST', body, headers })).status
    })
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  assert.deepEqual(rows(seen), EXPECTED)
  assert.deepEqual(seen[0], { outcome: 'accepted', reason: 'none', key: 'current', region: 'default', messageId: 'm' })
  const after = await counts()
  for (const row of EXPECTED) assert.equal((after.get(row) ?? 0) - (before.get(row) ?? 0), 1, row)
})

test('fetch: the same outcomes, and a hook that throws is logged without changing the answer', async () => {
  const seen = []
  const errors = []
  const options = {
    receiver: new Receiver({ devMode: true, replayProtection: true }),
    logger: { warn() {}, error: (message) => errors.push(message) },
    onOutcome: (o) => {
      seen.push(o)
      throw new Error('the hook failed')
    },
  }
  await fiveDeliveries(async (token, body) => {
    const request = new Request(URL_, { method: 'POST', body, headers: { 'upstash-signature': token } })
    const result = await verifyRequest(request, options)
    return result.verified ? 200 : result.response.status
  })
  assert.deepEqual(rows(seen), EXPECTED)
  assert.equal(errors.length, 5)
  assert.match(errors[0], /onOutcome hook threw: the hook failed/)
})

test('onOutcome must be a function', () => {
  assert.throws(() => new (require('../lib/fetch.js').Gate)({ receiver: Receiver.dev(), onOutcome: 'log' }), {
    name: 'ConfigError',
  })
})

test('the message id handed to onOutcome is read as every front end reads it, on refusals too', async () => {
  // SPEC.md §7.4 and §7.8: an Upstash-Message-Id that is not visible ASCII is absent, in the
  // hook as in the delivery and in Rust and Python (Node once handed a refusal's raw value on).
  const wasmBuild = await import('../wasm/inline.mjs')
  for (const build of [{ verifyRequest, Receiver }, wasmBuild]) {
    const seen = []
    const options = { receiver: build.Receiver.dev(), logger: null, onOutcome: (o) => seen.push(o) }
    const send = (token, id) =>
      build.verifyRequest(
        new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token, 'upstash-message-id': id } }),
        options,
      )
    await send('not-a-token', 'msg\u00e91')
    await send('not-a-token', 'msg_2')
    await send(Signer.dev().sign(URL_, BODY), 'msg\u00e93')
    await send(Signer.dev().sign(URL_, BODY), 'msg_4')
    assert.deepEqual(
      seen.map((o) => [o.outcome, o.messageId]),
      [
        ['rejected', null],
        ['rejected', 'msg_2'],
        ['accepted', null],
        ['accepted', 'msg_4'],
      ],
    )
  }
})
