// The WebAssembly build and the framework subpaths as an installed package gives them: the
// same verdicts as the native build, and each helper under its official name.
import assert from 'node:assert/strict'
import { Receiver as NativeReceiver, Signer } from 'qstash-verify'
import { Receiver, SignatureError, build, withQStash } from 'qstash-verify/wasm'
import { qstash } from 'qstash-verify/hono'
import { verifySignatureAppRouter } from 'qstash-verify/nextjs'
import { verifySignatureH3 } from 'qstash-verify/h3'
import { verifySignatureNuxt } from 'qstash-verify/nuxt'
import { verifySignatureSvelte } from 'qstash-verify/svelte'
import { verifySignatureSolidjs } from 'qstash-verify/solidjs'

assert.equal(build, 'wasm')
const url = 'https://app.example.com/api/qstash'
const token = Signer.dev().sign(url, 'hello')
assert.equal(await Receiver.dev().verify({ signature: token, body: 'hello', url }), true)
assert.equal(await NativeReceiver.dev().verify({ signature: token, body: 'hello', url }), true)
assert.throws(() => Receiver.dev().verifySync({ signature: token, body: 'hellO', url }), (e) => e instanceof SignatureError && e.reason === 'body')

const request = (body) => new Request(url, { method: 'POST', body, headers: { 'upstash-signature': token } })
const handler = withQStash(async (_request, delivery) => new Response(delivery.text()), { receiver: Receiver.dev(), logger: null })
assert.equal(await (await handler(request('hello'))).text(), 'hello')
assert.equal((await handler(request('hellO'))).status, 401)
const route = verifySignatureAppRouter(async (req) => new Response(await req.text()), { devMode: true, logger: null })
assert.equal(await (await route(request('hello'))).text(), 'hello')
assert.equal((await route(request('hellO'))).status, 401)

// Each framework helper once on a signed and once on a tampered request, called with the event
// its framework gives (a web `Request` inside it, as on the runtimes that load these builds).
const config = { devMode: true, logger: null }
const answers = {
  async hono(body) {
    const set = {}
    const context = { req: { raw: request(body) }, set: (key, value) => (set[key] = value) }
    const refusal = await qstash(config)(context, async () => {})
    return refusal ?? new Response(set.qstash.text())
  },
  h3: (body) => verifySignatureH3(async (event) => new Response(event.context.qstash.text()), config)({ web: { request: request(body) }, context: {} }),
  nuxt: (body) => verifySignatureNuxt(async (event) => new Response(event.context.qstash.text()), config)({ web: { request: request(body) }, context: {} }),
  svelte: (body) => verifySignatureSvelte(async (event) => new Response(event.locals.qstash.text()), config)({ request: request(body), locals: {} }),
  solidjs: (body) => verifySignatureSolidjs(async (event) => new Response(event.locals.qstash.text()), config)({ request: request(body), locals: {} }),
}
for (const [name, answer] of Object.entries(answers)) {
  assert.equal(await (await answer('hello')).text(), 'hello', `${name}: the signed delivery`)
  const refused = await answer('hellO')
  assert.equal(refused.status, 401, `${name}: the tampered delivery`)
  assert.deepEqual(await refused.json(), { error: 'invalid_signature', reason: 'body' }, name)
}
console.log('wasm and framework subpaths: ok')
