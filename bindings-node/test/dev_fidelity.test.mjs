// The local QStash (`qstash-kit dev`) through the official @upstash/qstash client, call by
// call as its docs show them: every call succeeds and answers the documented fields, and the
// behaviours the docs promise hold (FIFO queues, retries and their delays, a callback after
// each attempt, the DLQ and its bulk actions, filters, cursors, flow control, schedules).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Client } from '@upstash/qstash'
import { firstLine } from './support.mjs'

const here = dirname(fileURLToPath(import.meta.url))

let dev
let env
let client
let endpoint
let base
/** Every request the endpoint received: `{ path, method, headers, body }`, in order. */
const received = []

/** Resolves with `check()`'s first truthy answer; fails after 20 s. */
async function until(what, check) {
  const deadline = Date.now() + 20_000
  for (;;) {
    const found = await check()
    if (found) return found
    if (Date.now() > deadline) throw new Error(`${what}: not within 20 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const arrivals = (path) => received.filter((r) => r.path === path)

before(async () => {
  dev = spawn('cargo', ['run', '-q', '-p', 'qstash-kit', '--', '--json', 'dev', '--port', '0', '--fast-retries'], {
    cwd: join(here, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  env = JSON.parse(await firstLine(dev, 'qstash-kit dev'))
  client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false })
  // `/fail/*` answers 500, `/flaky/*` fails each message's first attempt, the rest 200.
  endpoint = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const path = new URL(req.url, 'http://x').pathname
      received.push({ path, method: req.method, headers: req.headers, body })
      const first = req.headers['upstash-retried'] === '0'
      res.statusCode = path.startsWith('/fail') || (path.startsWith('/flaky') && first) ? 500 : 200
      res.end(res.statusCode === 200 ? 'ok' : 'broken')
    })
  })
  await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${endpoint.address().port}`
})

after(async () => {
  dev?.kill('SIGINT')
  await new Promise((resolve) => endpoint?.close(resolve) ?? resolve())
})

test('publish and publishJSON answer messageId and deduplicated; messages.get shows the documented fields', async () => {
  const sent = await client.publishJSON({
    url: `${base}/later`,
    body: { order: 1 },
    delay: 3600,
    retries: 2,
    label: 'billing',
    headers: { 'X-Tenant': 'acme' },
    flowControl: { key: 'tenant-acme', parallelism: 2, rate: 10, period: 60 },
  })
  assert.match(sent.messageId, /^msg_/)
  assert.equal(sent.deduplicated, false)
  const message = await client.messages.get(sent.messageId)
  assert.equal(message.messageId, sent.messageId)
  assert.equal(message.url, `${base}/later`)
  assert.equal(message.body, '{"order":1}')
  assert.equal(message.maxRetries, 2)
  assert.equal(message.label, 'billing')
  assert.equal(message.flowControlKey, 'tenant-acme')
  assert.deepEqual([message.parallelism, message.rate, message.period], [2, 10, 60])
  assert.deepEqual(message.header['X-Tenant'] ?? message.header['x-tenant'], ['acme'])
  assert.deepEqual(await client.messages.cancel(sent.messageId), { cancelled: 1 })

  const once = { url: `${base}/dedup`, body: 'same', deduplicationId: 'order-7' }
  const first = await client.publish(once)
  const again = await client.publish(once)
  assert.deepEqual([again.messageId, again.deduplicated], [first.messageId, true])
  await until('the deduplicated delivery', () => arrivals('/dedup').length === 1)
})

test('a queue with parallelism 1 delivers in the order enqueued; queues are listed, paused, resumed, deleted', async () => {
  const queue = client.queue({ queueName: 'fifo' })
  await queue.upsert({ parallelism: 1 })
  assert.equal((await queue.get()).parallelism, 1)
  await queue.pause()
  assert.equal((await queue.get()).paused, true)
  for (let i = 1; i <= 6; i++) await queue.enqueueJSON({ url: `${base}/fifo`, body: { i } })
  assert.equal(arrivals('/fifo').length, 0, 'a paused queue delivers nothing')
  await queue.resume()
  await until('six deliveries', () => arrivals('/fifo').length === 6)
  assert.deepEqual(
    arrivals('/fifo').map((r) => JSON.parse(r.body).i),
    [1, 2, 3, 4, 5, 6],
  )
  assert.ok((await queue.list()).some((q) => q.name === 'fifo'))
  await queue.delete()
  await assert.rejects(queue.get())
})

test('batchJSON publishes each entry, and URL groups fan out, list and lose endpoints', async () => {
  const answers = await client.batchJSON([
    { url: `${base}/batch`, body: { n: 1 } },
    { url: `${base}/batch`, body: { n: 2 } },
  ])
  assert.equal(answers.length, 2)
  await until('both batch deliveries', () => arrivals('/batch').length === 2)

  await client.urlGroups.addEndpoints({
    name: 'fanout',
    endpoints: [{ url: `${base}/group-a`, name: 'a' }, { url: `${base}/group-b` }],
  })
  const group = await client.urlGroups.get('fanout')
  assert.deepEqual(group.endpoints.map((e) => e.url).sort(), [`${base}/group-a`, `${base}/group-b`])
  const fanned = await client.publishJSON({ urlGroup: 'fanout', body: { all: true } })
  assert.deepEqual(fanned.map((r) => r.url).sort(), [`${base}/group-a`, `${base}/group-b`])
  await until('both endpoints', () => arrivals('/group-a').length === 1 && arrivals('/group-b').length === 1)
  assert.equal(arrivals('/group-a')[0].headers['upstash-topic-name'], 'fanout')
  await client.urlGroups.removeEndpoints({ name: 'fanout', endpoints: [{ name: 'a' }] })
  assert.deepEqual(
    (await client.urlGroups.get('fanout')).endpoints.map((e) => e.url),
    [`${base}/group-b`],
  )
  assert.ok((await client.urlGroups.list()).some((g) => g.name === 'fanout'))
  await client.urlGroups.delete('fanout')
  await assert.rejects(client.urlGroups.get('fanout'))
})

test('retries wait the retryDelay expression, and the callback follows every attempt', async () => {
  const { messageId } = await client.publish({
    url: `${base}/flaky/retry`,
    body: 'again',
    retries: 2,
    retryDelay: '(retried + 1) * 40000',
    callback: `${base}/callback`,
  })
  await until('the second attempt', () => arrivals('/flaky/retry').length === 2)
  const callbacks = await until('two callbacks', () => arrivals('/callback').length === 2 && arrivals('/callback'))
  const bodies = callbacks.map((c) => JSON.parse(c.body)).sort((a, b) => a.retried - b.retried)
  assert.deepEqual(
    bodies.map((b) => [b.sourceMessageId, b.retried, b.status]),
    [
      [messageId, 0, 500],
      [messageId, 1, 200],
    ],
  )
  // 40 s scaled by --fast-retries to 40 ms, as the log records the wait it chose.
  const { logs } = await client.logs({ filter: { messageId, state: 'RETRY' } })
  assert.equal(logs.length, 1)
  const waited = logs[0].nextDeliveryTime - logs[0].time
  assert.ok(waited >= 39 && waited <= 40, `waited ${waited} ms`)
})

test('the DLQ lists, retries and deletes with filters, all and cursors', async () => {
  for (const n of [1, 2, 3]) await client.publish({ url: `${base}/fail/dlq`, body: `dead ${n}`, retries: 0, label: 'doomed' })
  const dead = await until('three DLQ messages', async () => {
    const { messages } = await client.dlq.listMessages({ filter: { label: 'doomed' } })
    return messages.length === 3 && messages
  })
  assert.deepEqual(
    dead.map((m) => [m.responseStatus, m.responseBody]),
    Array(3).fill([500, 'broken']),
  )
  const page = await client.dlq.listMessages({ filter: { label: 'doomed' }, count: 2 })
  assert.equal(page.messages.length, 2)
  assert.ok(page.cursor, 'a cursor to the third')
  const rest = await client.dlq.listMessages({ filter: { label: 'doomed' }, count: 2, cursor: page.cursor })
  assert.equal(rest.messages.length, 1)
  assert.equal(rest.cursor ?? undefined, undefined)

  const retried = await client.dlq.retry(dead[0].dlqId)
  assert.match(retried.responses[0].messageId, /^msg_/)
  const filtered = await client.dlq.listMessages({ filter: { responseStatus: 404 } })
  assert.equal(filtered.messages.length, 0, 'no 404 in the DLQ')
  let deleted = 0
  let cursor
  do {
    const result = await client.dlq.delete({ all: true, count: 1, cursor })
    deleted += result.deleted
    cursor = result.cursor
  } while (cursor)
  assert.ok(deleted >= 2, `deleted ${deleted}`)
  assert.deepEqual(
    (await client.dlq.listMessages({ filter: { label: 'doomed' } })).messages.filter((m) => m.messageId !== retried.responses[0].messageId)
      .length,
    0,
  )
})

test('cancel by filter and all, and logs by filter with a cursor', async () => {
  const later = (label) => client.publish({ url: `${base}/never`, body: label, delay: 3600, label })
  const [keep, drop] = [await later('keep'), await later('drop')]
  const cancelled = await client.messages.cancel({ filter: { label: 'drop' } })
  assert.equal(cancelled.cancelled, 1)
  assert.ok(await client.messages.get(keep.messageId))
  await assert.rejects(client.messages.get(drop.messageId))
  const all = await client.messages.cancel({ all: true })
  assert.ok(all.cancelled >= 1)
  await assert.rejects(client.messages.get(keep.messageId))

  const first = await client.logs({ count: 2 })
  assert.equal(first.logs.length, 2)
  assert.ok(first.cursor)
  const second = await client.logs({ count: 2, cursor: first.cursor })
  assert.notDeepEqual(
    second.logs.map((l) => [l.messageId, l.state, l.time]),
    first.logs.map((l) => [l.messageId, l.state, l.time]),
  )
  const byIds = await client.logs({ messageIds: [keep.messageId] })
  assert.ok(byIds.logs.length >= 2 && byIds.logs.every((l) => l.messageId === keep.messageId))
  assert.ok(byIds.logs.some((l) => l.state === 'CANCELED'))
})

test('schedules are created, read, listed, paused, resumed and deleted, and fire', async () => {
  const { scheduleId } = await client.schedules.create({
    destination: `${base}/cron`,
    cron: '* * * * * *',
    body: 'tick',
    retries: 1,
  })
  const schedule = await client.schedules.get(scheduleId)
  assert.deepEqual([schedule.scheduleId, schedule.cron, schedule.destination], [scheduleId, '* * * * * *', `${base}/cron`])
  await until('a scheduled delivery', () => arrivals('/cron').length >= 1)
  assert.equal(arrivals('/cron')[0].headers['upstash-schedule-id'], scheduleId)
  await client.schedules.pause({ schedule: scheduleId })
  assert.equal((await client.schedules.get(scheduleId)).isPaused, true)
  await client.schedules.resume({ schedule: scheduleId })
  assert.equal((await client.schedules.get(scheduleId)).isPaused, false)
  assert.ok((await client.schedules.list()).some((s) => s.scheduleId === scheduleId))
  await client.schedules.delete(scheduleId)
  await assert.rejects(client.schedules.get(scheduleId))
})

test('flow control keys are read, pinned, unpinned, reset, paused and resumed', async () => {
  await client.publish({ url: `${base}/flow`, body: 'x', flowControl: { key: 'tenant-b', rate: 5, period: 60 } })
  await until('the flow-controlled delivery', () => arrivals('/flow').length === 1)
  const key = await client.flowControl.get('tenant-b')
  assert.deepEqual([key.flowControlKey, key.rateMax, key.ratePeriod], ['tenant-b', 5, 60])
  await client.flowControl.pin('tenant-b', { parallelism: 3 })
  assert.equal((await client.flowControl.get('tenant-b')).parallelismMax, 3)
  await client.flowControl.unpin('tenant-b', { parallelism: true })
  await client.flowControl.resetRate('tenant-b')
  assert.equal((await client.flowControl.get('tenant-b')).rateCount, 0)
  await client.flowControl.pause('tenant-b')
  assert.equal((await client.flowControl.get('tenant-b')).isPaused, true)
  await client.flowControl.resume('tenant-b')
  const global = await client.flowControl.getGlobalParallelism()
  assert.equal(typeof global.parallelismMax, 'number')
})
