// `vectors/deliveries.json`, the table of deliveries every implementation of the gate runs
// (Rust's gate, Python, and here both builds): per delivery the status, the outcome handed to
// `onOutcome` and the lines written to the logger, in order.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import * as wasmBuild from '../wasm/inline.mjs'
import { here, now, qstash } from './support.mjs'

const table = JSON.parse(readFileSync(join(here, '..', '..', 'vectors', 'deliveries.json'), 'utf8'))
const { Signer } = qstash

/** A store of the host's: remembers ids, or fails as the case says. */
function storeFor(kind, failOpen) {
  const claimed = new Set()
  return {
    failOpen,
    async claim(id) {
      if (kind === 'failing_store') throw new Error('connection reset')
      if (claimed.has(id)) return false
      claimed.add(id)
      return true
    },
  }
}

for (const [name, build] of [
  ['native', qstash.api],
  ['wasm', wasmBuild],
]) {
  test(`${name}: every case of the shared delivery table`, async () => {
    assert.equal(table.cases.length, 12, "the table's cases, every one run here")
    for (const kase of table.cases) {
      const log = []
      const outcomes = []
      const logger = Object.fromEntries(['error', 'warn', 'info', 'debug'].map((level) => [level, (line) => log.push([level, line])]))
      // Edge isolates have no in-memory guard: the WebAssembly build remembers ids in a store of its own.
      const memory = kase.replay === 'memory' && name === 'native'
      const store = kase.replay && !memory ? storeFor(kase.replay, kase.fail_open) : undefined
      const gate = new build.Gate({
        receiver: memory ? new build.Receiver({ devMode: true, replayProtection: true }) : build.Receiver.dev(),
        logger,
        onOutcome: (outcome) => outcomes.push(outcome),
        bodyLimit: kase.options?.body_limit,
        logLevel: kase.options?.log_level,
        replayStore: store,
      })
      const results = []
      let previous
      for (const delivery of kase.deliveries) {
        const signer = delivery.key === 'next' ? Signer.devNext() : Signer.dev()
        const token = {
          fresh: () => signer.sign(table.url, table.body),
          expired: () => signer.sign(table.url, table.body, { now: now() - 1000 }),
          again: () => previous,
          none: () => undefined,
        }[delivery.token]()
        previous = token
        const headers = { 'upstash-message-id': table.message_id }
        if (token !== undefined) headers['upstash-signature'] = token
        const url = new URL(delivery.path ?? new URL(table.url).pathname, table.url)
        const request = new Request(url, { method: 'POST', body: delivery.send_body ?? table.body, headers })
        const before = log.length
        const result = await build.verifyRequest(request, gate)
        results.push({
          status: result.verified ? 200 : result.response.status,
          outcome: [outcomes.at(-1).outcome, outcomes.at(-1).reason, outcomes.at(-1).key, outcomes.at(-1).region],
          log: log.slice(before),
        })
      }
      assert.deepEqual(results, kase.expect, kase.name)
      assert.equal(outcomes.length, kase.expect.length, `${kase.name}: one outcome per delivery`)
      for (const outcome of outcomes) assert.equal(outcome.messageId, table.message_id, kase.name)
    }
  })
}
