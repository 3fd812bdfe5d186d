// The public development keys (those `qstash-kit dev` signs with) are refused unless the user
// opts in: `QSTASH_DEV=1` in the environment, as `qstash-kit dev` prints it, or
// `devMode: true` / `Receiver.dev()` in code. The refusal says so in JavaScript's words. In
// the native and the WebAssembly build.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as wasmBuild from '../wasm/inline.mjs'
import { DEV_CURRENT, DEV_NEXT, URL_, qstash } from './support.mjs'

const BODY = '{"order":42}'
const VARIABLES = ['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'QSTASH_REGION', 'QSTASH_DEV']

/** Runs `body` with exactly `variables` of the key variables set, then restores them. */
async function withEnvironment(variables, body) {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]))
  try {
    for (const name of VARIABLES) delete process.env[name]
    Object.assign(process.env, variables)
    return await body()
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

const PRINTED = { QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT, QSTASH_NEXT_SIGNING_KEY: DEV_NEXT }

for (const [name, build] of [
  ['native', qstash.api],
  ['wasm', wasmBuild],
]) {
  const { ConfigError, Receiver } = build
  const signed = () => ({ signature: qstash.Signer.dev().sign(URL_, BODY), body: BODY, url: URL_ })

  test(`${name}: the development keys are refused without the opt-in, and the message says how in JavaScript`, async () => {
    await withEnvironment(PRINTED, () => {
      for (const build of [() => new Receiver(), () => new Receiver({ currentSigningKey: DEV_CURRENT, nextSigningKey: DEV_NEXT })]) {
        assert.throws(build, (error) => {
          assert.ok(error instanceof ConfigError)
          assert.match(error.message, /QSTASH_DEV=1/)
          assert.match(error.message, /devMode: true/)
          assert.doesNotMatch(error.message, /::/)
          return true
        })
      }
    })
  })

  test(`${name}: QSTASH_DEV=1, as qstash-kit dev prints it, turns the receiver to the development keys`, async () => {
    await withEnvironment({ ...PRINTED, QSTASH_DEV: '1' }, () => {
      assert.equal(new Receiver().verifySync(signed()).key, 'current')
    })
    await withEnvironment({ QSTASH_DEV: 'true' }, () => assert.equal(new Receiver().verifySync(signed()).key, 'current'))
    // An explicit `devMode: false` wins over the environment.
    await withEnvironment({ ...PRINTED, QSTASH_DEV: 'true' }, () => assert.throws(() => new Receiver({ devMode: false }), /devMode: true/))
  })

  test(`${name}: QSTASH_DEV off, with other keys or with an unknown value is refused`, async () => {
    for (const value of ['0', 'false', '']) {
      await withEnvironment({ ...PRINTED, QSTASH_DEV: value }, () => assert.throws(() => new Receiver(), /QSTASH_DEV=1/))
    }
    await withEnvironment({ QSTASH_DEV: '1' }, () => {
      assert.throws(
        () => new Receiver({ currentSigningKey: 'sig_prodCurrent', nextSigningKey: 'sig_prodNext' }),
        /other signing keys are configured/,
      )
    })
    await withEnvironment({ QSTASH_DEV: 'yes' }, () =>
      assert.throws(
        () => new Receiver(),
        (e) => e instanceof ConfigError && /QSTASH_DEV must be/.test(e.message),
      ),
    )
  })
}

const request = (signer) => new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': signer.sign(URL_, BODY) } })

test('the framework helpers load the development keys with QSTASH_DEV', async () => {
  const { verifySignatureAppRouter } = await import('qstash-verify/nextjs')
  await withEnvironment({ ...PRINTED, QSTASH_DEV: '1' }, async () => {
    const handler = verifySignatureAppRouter(async (req) => new Response(await req.text()))
    const ok = await handler(request(qstash.Signer.dev()))
    assert.deepEqual([ok.status, await ok.text()], [200, BODY])
    assert.equal((await handler(request(new qstash.Signer('sig_production')))).status, 401)
  })
})
