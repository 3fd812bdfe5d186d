// SPEC.md §7.6: every refusal is logged at the level the user sets (default warn), through
// the logger the user passes, in the native and the WebAssembly build; a refusal because the
// keys cannot be read is an error whatever the level (§7.10).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as wasmBuild from '../wasm/inline.mjs'
import { URL_, qstash } from './support.mjs'

/** A logger that records which method each line went to. */
function recording() {
  const lines = []
  const method = (level) => (line) => lines.push([level, line])
  return { lines, logger: { error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug') } }
}

const unsigned = () => new Request(URL_, { method: 'POST', body: '{}' })

for (const [name, build] of [
  ['native', qstash.api],
  ['wasm', wasmBuild],
]) {
  const { ConfigError, Gate, Receiver, withQStash } = build
  const handler = async () => new Response('ok')

  test(`${name}: refusals are logged with the method logLevel names, warn by default`, async () => {
    for (const [logLevel, expected] of [
      [undefined, 'warn'],
      ['error', 'error'],
      ['warn', 'warn'],
      ['info', 'info'],
      ['debug', 'debug'],
    ]) {
      const { lines, logger } = recording()
      const route = withQStash(handler, { receiver: Receiver.dev(), logger, logLevel })
      const answer = await route(unsigned())
      assert.equal(answer.status, 401)
      assert.deepEqual(
        lines.map(([level]) => level),
        [expected],
        `logLevel ${logLevel}`,
      )
      assert.match(lines[0][1], /QStash delivery rejected: reason=missing message_id=- path=\/api\/qstash/)
    }
  })

  test(`${name}: a log level a logger does not have is a ConfigError`, () => {
    for (const logLevel of ['warning', 'WARN', 'trace', 'log', '']) {
      assert.throws(
        () => new Gate({ receiver: Receiver.dev(), logLevel }),
        (error) => error instanceof ConfigError && /the log level must be "error", "warn", "info" or "debug"/.test(error.message),
        JSON.stringify(logLevel),
      )
    }
  })
}

test('native: a refusal because the keys cannot be read is logged at the level set, saying why', async () => {
  const { lines, logger } = recording()
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (key.includes('QSTASH')) delete process.env[key]
  try {
    const route = qstash.api.withQStash(async () => new Response('ok'), { logger, logLevel: 'info' })
    const token = qstash.Signer.dev().sign(URL_, '{}')
    const answer = await route(new Request(URL_, { method: 'POST', body: '{}', headers: { 'upstash-signature': token } }))
    assert.equal(answer.status, 401)
    assert.equal((await answer.json()).reason, 'no_keys')
    assert.deepEqual(
      lines.map(([level]) => level),
      ['info'],
    )
    assert.match(lines[0][1], /reason=no_keys .*the signing keys cannot be read/)
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
})
