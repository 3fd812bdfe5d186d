// Differential tests against the official @upstash/qstash Receiver: on tokens our Signer
// mints, both accept the valid ones and reject the tampered ones. On the shared vectors, the
// cases where the official one is wrong (the vectors' `sdk.ts` field) are reported, not failed.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Receiver as OfficialReceiver } from '@upstash/qstash'
import { verdict } from './conformance.mjs'
import { URL_, VECTORS, now, qstash } from './support.mjs'

const { Receiver, SignatureError, Signer } = qstash
const KEYS = { currentSigningKey: 'sig_diffCurrentKey', nextSigningKey: 'sig_diffNextKey' }
const BODY = '{"order":42,"note":"Zoë"}'

async function accepts(receiver, request) {
  try {
    return (await receiver.verify(request)) === true
  } catch (error) {
    if (receiver instanceof Receiver) assert.ok(error instanceof SignatureError, String(error))
    return false
  }
}

test('both accept valid minted tokens and reject tampered ones', async () => {
  const current = new Signer(KEYS.currentSigningKey)
  const valid = current.sign(URL_, BODY)
  const tamperedToken = valid.slice(0, -3) + (valid.endsWith('AAA') ? 'BBB' : 'AAA')
  const cases = [
    ['valid, current key', { signature: valid, body: BODY, url: URL_ }, true],
    ['valid, next key', { signature: new Signer(KEYS.nextSigningKey).sign(URL_, BODY), body: BODY, url: URL_ }, true],
    ['valid, no url check', { signature: valid, body: BODY }, true],
    ['tampered body', { signature: valid, body: `${BODY} `, url: URL_ }, false],
    ['tampered token', { signature: tamperedToken, body: BODY, url: URL_ }, false],
    ['expired', { signature: current.sign(URL_, BODY, { now: now() - 3600 }), body: BODY, url: URL_ }, false],
    ['not yet valid', { signature: current.sign(URL_, BODY, { now: now() + 3600 }), body: BODY, url: URL_ }, false],
    ['other url', { signature: valid, body: BODY, url: `${URL_}/admin` }, false],
    ['other key', { signature: new Signer('sig_attackerKey').sign(URL_, BODY), body: BODY, url: URL_ }, false],
  ]
  const ours = new Receiver(KEYS)
  const official = new OfficialReceiver(KEYS)
  for (const [name, request, want] of cases) {
    assert.equal(await accepts(ours, request), want, `qstash-verify on ${name}`)
    assert.equal(await accepts(official, request), want, `@upstash/qstash on ${name}`)
  }
})

test('official receiver on the vectors is reported, not failed', () => {
  const cases = readFileSync(VECTORS, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
  const wrong = []
  for (const c of cases) {
    const ours = verdict(c)
    assert.equal(ours.valid ? 'valid' : 'invalid', c.expect, c.id)
    if (c.sdk?.ts && c.sdk.ts !== c.expect) wrong.push(c.id)
  }
  console.log(`@upstash/qstash 2.12.0 is wrong on ${wrong.length} of ${cases.length} public vectors (sdk.ts): ${wrong.join(', ')}`)
})

test('a token from `qstash-kit sign` verifies with the official receiver', async () => {
  const { execFileSync } = await import('node:child_process')
  const { join } = await import('node:path')
  const { here } = await import('./support.mjs')
  const token = execFileSync(
    'cargo',
    ['run', '-q', '-p', 'qstash-kit', '--',
      'sign', '--url', URL_, '--data', BODY, '--key', KEYS.currentSigningKey],
    { cwd: join(here, '..', '..'), encoding: 'utf8' },
  ).trim()
  assert.equal(await new OfficialReceiver(KEYS).verify({ signature: token, body: BODY, url: URL_ }), true)
  assert.equal(new Receiver(KEYS).verifySync({ signature: token, body: BODY, url: URL_ }).key, 'current')
})
