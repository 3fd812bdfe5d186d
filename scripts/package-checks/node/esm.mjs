// The package as an ES module user imports it (the line every `@upstash/qstash` user has),
// and the named exports are the same objects `require` gives.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { Receiver, SignatureError, Signer } from 'qstash-verify'
import * as main from 'qstash-verify'
import { qstashVerified } from 'qstash-verify/express'
import { verifyRequest, withQStash } from 'qstash-verify/fetch'

const require = createRequire(import.meta.url)
for (const entry of ['qstash-verify', 'qstash-verify/express', 'qstash-verify/fetch']) {
  const commonjs = require(entry)
  const esm = await import(entry)
  for (const name of Object.keys(commonjs)) {
    assert.equal(esm[name], commonjs[name], `${entry}: import { ${name} } is not the CommonJS export`)
  }
}
assert.equal(main.Receiver, Receiver)

const url = 'https://app.example.com/api/qstash'
const handler = withQStash(async (_request, delivery) => Response.json({ body: delivery.text() }), {
  receiver: Receiver.dev(),
})
const send = (body, signedBody = body) =>
  handler(
    new Request(url, {
      method: 'POST',
      body,
      headers: { 'upstash-signature': Signer.dev().sign(url, Buffer.from(signedBody)) },
    }),
  )
const accepted = await send('hello')
assert.equal(accepted.status, 200)
assert.deepEqual(await accepted.json(), { body: 'hello' })
const refused = await send('hellO', 'hello')
assert.equal(refused.status, 401)
assert.deepEqual(await refused.json(), { error: 'invalid_signature', reason: 'body' })
assert.equal((await verifyRequest(new Request(url, { method: 'POST' }), { receiver: Receiver.dev() })).verified, false)
assert.ok(new SignatureError('x', 'body') instanceof Error)
assert.equal(typeof qstashVerified, 'function')
console.log('esm: ok')
