// Differential tests against the official @upstash/qstash Receiver: on tokens our Signer
// mints, both accept the valid ones and reject the tampered ones. On the shared vectors, the
// official one must answer what the vectors' `sdk.ts` field records, wrong answers included.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Receiver as OfficialReceiver, SignatureError as OfficialSignatureError } from '@upstash/qstash'
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

// The vectors on which the official receiver throws something other than its SignatureError:
// a TypeError on a token without a string `body` claim (in a web app, a 500 instead of a
// refusal), and a plain Error when one of the keys is empty.
const OFFICIAL_CRASHES = new Set([
  'body-empty-claim-missing',
  'body-nonempty-claim-missing',
  'body-claim-object',
  'key-empty-both-forged-empty',
  'key-empty-next-forged-empty',
  'key-empty-next-valid-current',
])

/** The official receiver's verdict on a vector at the vector's clock: `valid`, `invalid` (its
 * `SignatureError`) or `crashed` (anything else thrown). A body that is not UTF-8 is given as
 * `request.text()` gives it, decoded with replacement characters: the official receiver takes
 * only text. Its clock is `new Date()` (jose's), frozen at the vector's `now` meanwhile. */
async function officialVerdictAt(c) {
  const body = new TextDecoder().decode(Buffer.from(c.body_b64, 'base64'))
  const RealDate = globalThis.Date
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(c.now * 1000)
      else super(...args)
    }

    static now() {
      return c.now * 1000
    }
  }
  try {
    const official = new OfficialReceiver({ currentSigningKey: c.current_key, nextSigningKey: c.next_key })
    // A vector's `url: null` means no URL check, which the official receiver spells `undefined`.
    await official.verify({ signature: c.token, body, url: c.url ?? undefined, clockTolerance: c.clock_tolerance_s })
    return 'valid'
  } catch (error) {
    return error instanceof OfficialSignatureError ? 'invalid' : 'crashed'
  } finally {
    globalThis.Date = RealDate
  }
}

test('on the vectors the official receiver answers what the vectors record', async () => {
  const cases = readFileSync(VECTORS, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
  const differs = []
  const crashed = new Set()
  for (const c of cases) {
    const ours = verdict(c)
    assert.equal(ours.valid ? 'valid' : 'invalid', c.expect, c.id)
    const official = await officialVerdictAt(c)
    if (official === 'crashed') crashed.add(c.id)
    const recorded = c.sdk.ts
    if ((official === 'crashed' ? 'invalid' : official) !== recorded) differs.push(`${c.id} (official: ${official}, recorded: ${recorded})`)
  }
  assert.deepEqual(differs, [], 'the official receiver no longer answers as the vectors record')
  assert.deepEqual(crashed, OFFICIAL_CRASHES)
  const wrong = cases.filter((c) => c.sdk.ts !== c.expect).map((c) => c.id)
  console.log(
    `@upstash/qstash is wrong on ${wrong.length} of ${cases.length} public vectors, crashing on ${crashed.size}: ${wrong.join(', ')}`,
  )
})

test('a token from `qstash-kit sign` verifies with the official receiver', async () => {
  const { execFileSync } = await import('node:child_process')
  const { join } = await import('node:path')
  const { here } = await import('./support.mjs')
  const token = execFileSync(
    'cargo',
    ['run', '-q', '-p', 'qstash-kit', '--', 'sign', '--url', URL_, '--data', BODY, '--key', KEYS.currentSigningKey],
    { cwd: join(here, '..', '..'), encoding: 'utf8' },
  ).trim()
  assert.equal(await new OfficialReceiver(KEYS).verify({ signature: token, body: BODY, url: URL_ }), true)
  assert.equal(new Receiver(KEYS).verifySync({ signature: token, body: BODY, url: URL_ }).key, 'current')
})
