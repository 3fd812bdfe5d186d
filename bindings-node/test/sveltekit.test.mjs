// `qstash-verify/svelte` in a real SvelteKit app (`apps/sveltekit/`: one `+server.js` route as
// SvelteKit's docs show one) served by Vite's dev server, so SvelteKit itself turns the HTTP
// request into the `RequestEvent` the helper gets. Its own file: SvelteKit reads its config
// from the working directory.
import assert from 'node:assert/strict'
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createServer } from 'vite'
import { URL_, here, qstash } from './support.mjs'

const { Signer } = qstash
const app = join(here, 'apps', 'sveltekit')
const BODY = '{"order":42}'
let server
let base

before(async () => {
  // The app imports `qstash-verify` as an installed package.
  rmSync(join(app, 'node_modules'), { recursive: true, force: true })
  mkdirSync(join(app, 'node_modules'))
  symlinkSync(join(here, '..'), join(app, 'node_modules', 'qstash-verify'))
  process.chdir(app)
  server = await createServer({ root: app, configFile: join(app, 'vite.config.js'), server: { host: '127.0.0.1', port: 0 } })
  await server.listen()
  base = server.resolvedUrls.local[0].replace(/\/$/, '')
})

after(async () => {
  await server?.close()
  rmSync(join(app, 'node_modules'), { recursive: true, force: true })
  rmSync(join(app, '.svelte-kit'), { recursive: true, force: true })
})

const post = (body, token) =>
  fetch(`${base}/api/qstash`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'upstash-message-id': 'msg_sk', ...(token ? { 'upstash-signature': token } : {}) },
  })

test('sveltekit: verifySignatureSvelte accepts a signed delivery and refuses a tampered one', async () => {
  const token = Signer.dev().sign(URL_, BODY)
  const ok = await post(BODY, token)
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { order: 42, id: 'msg_sk' })
  const tampered = await post('{"order":43}', token)
  assert.equal(tampered.status, 401)
  assert.deepEqual(await tampered.json(), { error: 'invalid_signature', reason: 'body' })
  const unsigned = await post(BODY)
  assert.equal((await unsigned.json()).reason, 'missing')
})
