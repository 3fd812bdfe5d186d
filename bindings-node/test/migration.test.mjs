// Migrating from `@upstash/qstash` is one import: the official docs' receiver snippet and a
// CommonJS handler catching the official `SignatureError`, each with only the import of
// `Receiver` changed (test/migration/official-* → migrated-*), answer valid and tampered
// deliveries as the official SDK does.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import { claims, here, mint, now } from './support.mjs'

const require = createRequire(import.meta.url)
const KEYS = { current: 'sig_migrationCurrentKey', next: 'sig_migrationNextKey' }
const URL_ = 'https://my-app.example.com/api/qstash'
const BODY = '{"order":42}'

// The snippets read their keys from the environment when they are loaded.
process.env.QSTASH_CURRENT_SIGNING_KEY = KEYS.current
process.env.QSTASH_NEXT_SIGNING_KEY = KEYS.next

function deliveries() {
  const at = now()
  const valid = mint(claims(URL_, BODY, at), { key: KEYS.current })
  const request = (signature, body = BODY) => ({ headers: { 'upstash-signature': signature }, body })
  return {
    valid: request(valid),
    'valid, next key': request(mint(claims(URL_, BODY, at), { key: KEYS.next })),
    'tampered body': request(valid, BODY.replace('42', '43')),
    'tampered token': request(valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA')),
    'another key': request(mint(claims(URL_, BODY, at), { key: 'sig_someoneElse' })),
    'another url': request(mint(claims(`${URL_}/other`, BODY, at), { key: KEYS.current })),
  }
}

const EXPECTED = {
  valid: 200,
  'valid, next key': 200,
  'tampered body': 401,
  'tampered token': 401,
  'another key': 401,
  'another url': 401,
}

/** The lines of the migrated file that differ from the official one. */
function changedLines(official, migrated) {
  const a = readFileSync(join(here, 'migration', official), 'utf8').split('\n')
  const b = readFileSync(join(here, 'migration', migrated), 'utf8').split('\n')
  assert.equal(a.length, b.length)
  return b.filter((line, i) => line !== a[i])
}

test('the migrated files differ from the official ones in the import of Receiver only', () => {
  assert.deepEqual(changedLines('official-docs.mjs', 'migrated-docs.mjs'), ['import { Receiver } from "qstash-verify";'])
  assert.deepEqual(changedLines('official-catch.cjs', 'migrated-catch.cjs'), ['const { Receiver } = require("qstash-verify");'])
})

test("the official docs' receiver snippet answers the same with one import changed", async () => {
  for (const file of ['official-docs.mjs', 'migrated-docs.mjs']) {
    const { handler } = await import(`./migration/${file}`)
    const answers = {}
    for (const [name, request] of Object.entries(deliveries())) {
      // The snippet resolves `true` or rejects with a SignatureError, which the framework
      // around it turns into an error response.
      answers[name] = await handler(request).then(
        (valid) => (valid === true ? 200 : `resolved ${valid}`),
        (error) => (error.name === 'SignatureError' && error instanceof Error ? 401 : `${error}`),
      )
    }
    assert.deepEqual(answers, EXPECTED, file)
  }
})

test('a CommonJS handler catching the official SignatureError still answers 401, not 500', async () => {
  for (const file of ['official-catch.cjs', 'migrated-catch.cjs']) {
    const { handler } = require(`./migration/${file}`)
    const statuses = {}
    for (const [name, request] of Object.entries(deliveries())) statuses[name] = await handler(request)
    assert.deepEqual(statuses, EXPECTED, file)
  }
  // The refusal is still qstash-verify's own, with its reason.
  const { Receiver, SignatureError } = require('qstash-verify')
  const official = require('@upstash/qstash')
  const error = await new Receiver().verify({ signature: 'x', body: '' }).catch((e) => e)
  assert.ok(error instanceof SignatureError && error instanceof official.SignatureError)
  assert.equal(error.reason, 'malformed')
})
