// Every rule of SPEC.md §3 and §4 through the JS API, in order.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inspect } from 'node:util'
import { DEV_CURRENT, DEV_NEXT, URL_, claims, mint, now, qstash } from './support.mjs'

const { ConfigError, Receiver, SignatureError, Signer } = qstash
const BODY = '{"order":42}'

function reason(receiver, signature, body = BODY, extra = {}) {
  try {
    receiver.verifySync({ signature, body, ...extra })
  } catch (error) {
    assert.ok(error instanceof SignatureError, `not a SignatureError: ${error}`)
    return error.reason
  }
  assert.fail('verified')
}

test('valid token verifies: verify resolves true, verifySync returns the claims', async () => {
  const token = Signer.dev().sign(URL_, BODY)
  assert.equal(await Receiver.dev().verify({ signature: token, body: BODY, url: URL_ }), true)
  const c = Receiver.dev().verifySync({ signature: token, body: BODY, url: URL_ })
  assert.equal(c.sub, URL_)
  assert.equal(c.iss, 'Upstash')
  assert.equal(c.key, 'current')
  assert.match(c.jti, /^jwt_/)
  assert.equal(c.exp - c.nbf, 300)
})

test('missing or empty token is missing; verify rejects with SignatureError', async () => {
  assert.equal(reason(Receiver.dev(), undefined), 'missing')
  assert.equal(reason(Receiver.dev(), ''), 'missing')
  assert.equal(reason(Receiver.dev(), null), 'missing')
  await assert.rejects(Receiver.dev().verify({ signature: '', body: BODY }), (e) => e instanceof SignatureError && e.reason === 'missing')
})

test('verify answers every mistake as a rejected promise, never a throw', async () => {
  const receiver = Receiver.dev()
  const token = Signer.dev().sign(URL_, BODY)
  for (const [request, expected] of [
    [{ signature: token, body: BODY, url: 'https://elsewhere.example/hook' }, (e) => e instanceof SignatureError && e.reason === 'subject'],
    [{ signature: 42, body: BODY }, TypeError],
    [{ signature: token, body: 42 }, TypeError],
    [{ signature: token, body: BODY, clockTolerance: -1 }, RangeError],
  ]) {
    let answer
    assert.doesNotThrow(() => {
      answer = receiver.verify(request)
    })
    assert.ok(answer instanceof Promise)
    await assert.rejects(answer, expected)
  }
  let answer
  assert.doesNotThrow(() => {
    answer = Receiver.prototype.verify.call({}, { signature: token, body: BODY })
  })
  await assert.rejects(answer, TypeError)
  assert.equal(await receiver.verify({ signature: token, body: BODY }), true)
})

test('wrong shape or non-canonical base64 is malformed', () => {
  for (const token of ['a.b', 'a.b.c.d', 'e30.e30.', 'e30=.e30.AAAA', 'e30.e30.c2ln', ` ${Signer.dev().sign(URL_, BODY)}`]) {
    assert.equal(reason(Receiver.dev(), token), 'malformed', token)
  }
})

test('wrong key is signature; next key verifies and says so', () => {
  assert.equal(reason(Receiver.dev(), new Signer('sig_otherAccountKey').sign(URL_, BODY)), 'signature')
  assert.equal(Receiver.dev().verifySync({ signature: Signer.devNext().sign(URL_, BODY), body: BODY }).key, 'next')
})

test('the reason is not masked by the next-key fallback', () => {
  assert.equal(reason(Receiver.dev(), Signer.dev().sign(URL_, BODY, { now: now() - 3600 })), 'expired')
})

test('bad authenticated headers are malformed (HS384/HS512 and none included)', () => {
  const headers = [
    '{"alg":"none"}',
    '{"alg":"HS384"}',
    '{"alg":"HS512"}',
    '{"alg":"hs256"}',
    '{"alg":"HS256","crit":["b64"]}',
    '{"alg":"HS256","b64":false}',
    '{"alg":"HS256","alg":"HS256"}',
  ]
  for (const header of headers) {
    assert.equal(reason(Receiver.dev(), mint(claims(URL_, BODY, now()), { header })), 'malformed', header)
  }
})

test('bad claims are malformed', () => {
  const t = now()
  for (const o of [{ exp: undefined }, { nbf: undefined }, { exp: 'soon' }, { iat: 'now' }, { jti: 7 }, { aud: 'x' }]) {
    assert.equal(reason(Receiver.dev(), mint(claims(URL_, BODY, t, o))), 'malformed', JSON.stringify(o))
  }
  const raw = `{"body":"x","body":"y","exp":${t + 60},"iss":"Upstash","nbf":${t},"sub":"${URL_}"}`
  assert.equal(reason(Receiver.dev(), mint(null, { raw })), 'malformed')
})

test('other issuer is issuer', () => {
  assert.equal(reason(Receiver.dev(), Signer.dev().sign(URL_, BODY, { issuer: 'upstash' })), 'issuer')
})

test('expired at exactly exp; clock tolerance applies to exp and nbf', () => {
  const t = now()
  const token = Signer.dev().sign(URL_, BODY, { now: t, expiresAt: t + 10 })
  assert.equal(reason(Receiver.dev(), token, BODY, { now: t + 10 }), 'expired')
  assert.ok(Receiver.dev().verifySync({ signature: token, body: BODY, now: t + 10, clockTolerance: 1 }))
  const early = Signer.dev().sign(URL_, BODY, { now: t + 3 })
  assert.equal(reason(Receiver.dev(), early, BODY, { now: t }), 'not_yet_valid')
  assert.ok(Receiver.dev().verifySync({ signature: early, body: BODY, now: t, clockTolerance: 5 }))
})

test('a negative, non-finite or oversized clock tolerance is refused, never wrapped into years', async () => {
  // N-API's unsigned conversion would turn -1 into 4294967295 s and accept any expired token.
  const expired = Signer.dev().sign(URL_, BODY, { now: now() - 3600 })
  const big = Buffer.alloc(128 * 1024, 1)
  const expiredBig = Signer.dev().sign(URL_, big, { now: now() - 3600 })
  for (const clockTolerance of [-1, -0.5, Number.NaN, Infinity, 2 ** 32]) {
    assert.throws(() => Receiver.dev().verifySync({ signature: expired, body: BODY, clockTolerance }), RangeError)
    await assert.rejects(Receiver.dev().verify({ signature: expired, body: BODY, clockTolerance }), RangeError)
    await assert.rejects(Receiver.dev().verify({ signature: expiredBig, body: big, clockTolerance }), RangeError)
    assert.throws(() => Receiver.dev().verifyToken({ signature: expired, clockTolerance }), RangeError)
    assert.throws(() => new Receiver({ currentSigningKey: 'sig_a1', nextSigningKey: 'sig_b2', clockTolerance }), RangeError)
  }
  assert.equal(reason(Receiver.dev(), expired, BODY, { clockTolerance: 0 }), 'expired')
  assert.ok(Receiver.dev().verifySync({ signature: expired, body: BODY, clockTolerance: 4000 }))
})

test('future iat is not_yet_valid', () => {
  const t = now()
  assert.equal(reason(Receiver.dev(), mint(claims(URL_, BODY, t, { iat: t + 100 })), BODY, { now: t }), 'not_yet_valid')
})

test('other url is subject; an empty url is compared, not skipped; non-string sub is subject', () => {
  const token = Signer.dev().sign(URL_, BODY)
  assert.equal(reason(Receiver.dev(), token, BODY, { url: `${URL_}/` }), 'subject')
  assert.equal(reason(Receiver.dev(), token, BODY, { url: '' }), 'subject')
  assert.equal(reason(Receiver.dev(), mint(claims(URL_, BODY, now(), { sub: 5 }))), 'subject')
})

test('tampered body is body; padding on the body claim is accepted', () => {
  assert.equal(reason(Receiver.dev(), Signer.dev().sign(URL_, BODY), '{"order":43}'), 'body')
  const padded = claims(URL_, BODY, now())
  padded.body += '='
  assert.ok(Receiver.dev().verifySync({ signature: mint(padded), body: BODY }))
})

test('region header picks the region pair; region-only receiver without a match is no_keys', () => {
  const receiver = new Receiver({
    currentSigningKey: 'sig_defaultCurrent',
    nextSigningKey: 'sig_defaultNext',
    regions: { US_EAST_1: { currentSigningKey: 'sig_usCurrent', nextSigningKey: 'sig_usNext' } },
  })
  const c = receiver.verifySync({ signature: new Signer('sig_usNext').sign(URL_, BODY), body: BODY, upstashRegion: 'us-east-1' })
  assert.deepEqual([c.key, c.region], ['next', 'US_EAST_1'])
  const regionOnly = new Receiver({ regions: { US_EAST_1: { currentSigningKey: 'sig_usCurrent', nextSigningKey: 'sig_usNext' } } })
  assert.equal(reason(regionOnly, new Signer('sig_usCurrent').sign(URL_, BODY)), 'no_keys')
})

test('empty keys and the dev keys are refused with ConfigError naming dev()', () => {
  for (const config of [
    { currentSigningKey: '', nextSigningKey: 'sig_x' },
    { currentSigningKey: 'sig_x', nextSigningKey: '' },
    { currentSigningKey: 'sig_x' },
    { currentSigningKey: DEV_CURRENT, nextSigningKey: DEV_NEXT },
  ]) {
    assert.throws(
      () => new Receiver(config),
      (e) => e instanceof ConfigError && e.reason === 'config',
    )
  }
  assert.throws(() => new Receiver({ currentSigningKey: DEV_CURRENT, nextSigningKey: DEV_NEXT }), /dev\(\)/)
  assert.ok(new Receiver({ devMode: true }).verifySync({ signature: Signer.dev().sign(URL_, BODY), body: BODY }))
})

test('without keys the receiver reads the official environment variables', () => {
  const saved = { ...process.env }
  try {
    process.env.QSTASH_CURRENT_SIGNING_KEY = 'sig_envCurrent'
    process.env.QSTASH_NEXT_SIGNING_KEY = 'sig_envNext'
    const c = new Receiver().verifySync({ signature: new Signer('sig_envNext').sign(URL_, BODY), body: BODY })
    assert.equal(c.key, 'next')
    delete process.env.QSTASH_NEXT_SIGNING_KEY
    assert.throws(() => new Receiver(), ConfigError)
  } finally {
    process.env = saved
  }
})

test('keys never print and never appear in errors', () => {
  const receiver = new Receiver({ currentSigningKey: 'sig_secretCurrent', nextSigningKey: 'sig_secretNext' })
  assert.doesNotMatch(String(receiver), /secret/)
  assert.match(String(receiver), /\[REDACTED\]/)
  assert.doesNotMatch(String(new Signer('sig_secretCurrent')), /secret/)
  const unprinted = (error) => !/secret/.test(`${error.message} ${error.stack} ${inspect(error)}`)
  assert.throws(
    () => receiver.verifySync({ signature: Signer.dev().sign(URL_, BODY), body: BODY }),
    (error) => error instanceof SignatureError && error.reason === 'signature' && unprinted(error),
  )
  assert.throws(
    () => new Receiver({ currentSigningKey: 'sig_secretCurrent', nextSigningKey: '' }),
    (error) => error instanceof ConfigError && unprinted(error),
  )
})

test('keys replaced on a live receiver apply to the next verification', () => {
  const receiver = new Receiver({ currentSigningKey: 'sig_oldCurrent', nextSigningKey: 'sig_oldNext' })
  const token = new Signer('sig_newCurrent').sign(URL_, BODY)
  assert.equal(reason(receiver, token), 'signature')
  receiver.replaceKeys('sig_newCurrent', 'sig_newNext')
  assert.ok(receiver.verifySync({ signature: token, body: BODY }))
  assert.throws(() => receiver.replaceKeys('', 'sig_x'), ConfigError)
})

test('streaming verification refuses a tampered body', () => {
  const pending = Receiver.dev().verifyToken({ signature: Signer.dev().sign(URL_, BODY), pathAndQuery: '/api/qstash' })
  pending.update(Buffer.from(BODY.slice(0, 5)))
  pending.update(`X${BODY.slice(6)}`)
  assert.throws(
    () => pending.finish(),
    (e) => e instanceof SignatureError && e.reason === 'body',
  )
})

test('streaming verification checks the token before the body', () => {
  const pending = Receiver.dev().verifyToken({ signature: Signer.dev().sign(URL_, BODY), pathAndQuery: '/api/qstash' })
  assert.equal(pending.sub, URL_)
  pending.update(Buffer.from(BODY.slice(0, 5)))
  pending.update(BODY.slice(5))
  assert.equal(pending.finish().sub, URL_)
  assert.throws(
    () => Receiver.dev().verifyToken({ signature: Signer.dev().sign(URL_, BODY), pathAndQuery: '/x' }),
    (e) => e instanceof SignatureError && e.reason === 'subject',
  )
})

test('replay protection refuses a token already accepted, in verify, verifySync and verifyToken', async () => {
  const receiver = new Receiver({ devMode: true, replayProtection: true })
  const token = Signer.dev().sign(URL_, BODY)
  assert.ok(receiver.verifySync({ signature: token, body: BODY }))
  assert.equal(reason(receiver, token), 'replayed')
  await assert.rejects(receiver.verify({ signature: token, body: BODY }), (e) => e.reason === 'replayed')
  const streamed = Signer.dev().sign(URL_, BODY)
  const pending = receiver.verifyToken({ signature: streamed })
  pending.update(BODY)
  assert.ok(pending.finish())
  assert.throws(
    () => receiver.verifySync({ signature: streamed, body: BODY }),
    (e) => e.reason === 'replayed',
  )
  // Without the option the same token verifies every time.
  const plain = Receiver.dev()
  assert.ok(plain.verifySync({ signature: token, body: BODY }) && plain.verifySync({ signature: token, body: BODY }))
})
