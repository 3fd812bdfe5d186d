// `qstash-verify/solidjs` in a real SolidStart app (`apps/solidstart/`: one API route as
// SolidStart's docs show one) served by `vinxi dev`, so SolidStart itself builds the event the
// helper gets. The app has its own toolchain (`npm ci` in that folder, run by README command 2):
// SolidStart's Vite cannot share a node_modules with the Vite of the SvelteKit test.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { URL_, here, qstash } from './support.mjs'

const { Signer } = qstash
const app = join(here, 'apps', 'solidstart')
const BODY = '{"order":42}'
let child
let base

before(async () => {
  // The app imports `qstash-verify` as an installed package.
  rmSync(join(app, 'node_modules', 'qstash-verify'), { force: true })
  symlinkSync(join(here, '..'), join(app, 'node_modules', 'qstash-verify'))
  const vinxi = join(app, 'node_modules', '.bin', 'vinxi')
  child = spawn(vinxi, ['dev', '--host', '127.0.0.1', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  base = await new Promise((resolve, reject) => {
    const seen = (chunk) => {
      output += chunk
      // vinxi prints the address it listens on; strip the colours first.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts the colour codes
      const match = /Local:\s+(http:\/\/[^\s/]+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))
      if (match) resolve(match[1].replace('localhost', '127.0.0.1'))
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.on('exit', (code) => reject(new Error(`vinxi exited with ${code}: ${output}`)))
  })
})

after(() => {
  child?.kill()
  rmSync(join(app, 'node_modules', 'qstash-verify'), { force: true })
  for (const generated of ['.vinxi', '.output']) rmSync(join(app, generated), { recursive: true, force: true })
})

const post = (body, token) =>
  fetch(`${base}/api/qstash`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'upstash-message-id': 'msg_solid', ...(token ? { 'upstash-signature': token } : {}) },
  })

test('solidstart: verifySignatureSolidjs accepts a signed delivery and refuses a tampered one', async () => {
  const token = Signer.dev().sign(URL_, BODY)
  const ok = await post(BODY, token)
  assert.equal(ok.status, 200, `${base}: ${await ok.clone().text()}`)
  assert.deepEqual(await ok.json(), { order: 42, id: 'msg_solid' })
  const tampered = await post('{"order":43}', token)
  assert.equal(tampered.status, 401)
  assert.deepEqual(await tampered.json(), { error: 'invalid_signature', reason: 'body' })
  const unsigned = await post(BODY)
  assert.equal((await unsigned.json()).reason, 'missing')
})
