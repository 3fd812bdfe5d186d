// `qstash-verify` inside real edge runtimes installed from npm: workerd (Cloudflare Workers,
// through miniflare, with the Worker bundled by esbuild as wrangler bundles it) and Deno. In
// each, `import … from 'qstash-verify'` resolves to the WebAssembly build by its export
// condition; signed, tampered and expired deliveries go to it over loopback.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { here, now, qstash } from './support.mjs'

const { Signer } = qstash
const PACKAGE = join(here, '..')
const HOOK = 'https://my-app.example.com/hook'

/** A folder where `qstash-verify` is an installed package, as in a user's project. */
function project(entry) {
  const dir = mkdtempSync(join(tmpdir(), 'qstash-verify-edge-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(PACKAGE, join(dir, 'node_modules', 'qstash-verify'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "edge-check", "private": true, "type": "module" }\n')
  copyFileSync(join(here, 'edge', entry), join(dir, entry))
  return dir
}

const cleanups = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

/** Signed, tampered and expired deliveries, with what each runtime must answer. */
async function deliveries(send) {
  const ok = await send('/hook', 'hello', Signer.dev().sign(HOOK, 'hello'))
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { build: 'wasm', body: 'hello', messageId: 'msg_edge', sub: HOOK })
  const tampered = await send('/hook', 'hellO', Signer.dev().sign(HOOK, 'hello'))
  assert.equal(tampered.status, 401)
  assert.deepEqual(await tampered.json(), { error: 'invalid_signature', reason: 'body' })
  const expired = await send('/hook', 'hello', Signer.dev().sign(HOOK, 'hello', { now: now() - 3600 }))
  assert.equal(expired.status, 401)
  assert.deepEqual(await expired.json(), { error: 'invalid_signature', reason: 'expired' })
  const elsewhere = await send('/other', 'hello', Signer.dev().sign(HOOK, 'hello'))
  assert.equal((await elsewhere.json()).reason, 'subject')
}

const post = (base) => (path, body, token) =>
  fetch(base + path, { method: 'POST', body, headers: { 'upstash-signature': token, 'upstash-message-id': 'msg_edge' } })

test('workerd (miniflare): the Worker verifies with the wasm build, and a Durable Object refuses a replay across requests and across isolates', async () => {
  const dir = project('worker.mjs')
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  let wasmFile
  const bundle = await build({
    entryPoints: [join(dir, 'worker.mjs')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    // As wrangler does: a `.wasm` import stays a module of its own, compiled by workerd.
    plugins: [
      {
        name: 'wasm-modules',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            wasmFile = join(args.resolveDir, args.path)
            return { path: 'qstash_verify_bg.wasm', external: true }
          })
        },
      },
    ],
  })
  const modules = [
    { type: 'ESModule', path: 'worker.mjs', contents: bundle.outputFiles[0].text },
    { type: 'CompiledWasm', path: 'qstash_verify_bg.wasm', contents: readFileSync(wasmFile) },
  ]
  // Two Workers, each an isolate of its own, the second bound to the first one's Durable
  // Object class: what one accepted, the other must refuse as replayed.
  const mf = new Miniflare({
    workers: [
      { name: 'first', modules, compatibilityDate: '2025-01-01', durableObjects: { QSTASH_REPLAY: 'QStashReplayObject' } },
      {
        name: 'second',
        modules,
        compatibilityDate: '2025-01-01',
        durableObjects: { QSTASH_REPLAY: { className: 'QStashReplayObject', scriptName: 'first' } },
      },
    ],
  })
  cleanups.push(() => mf.dispose())
  const base = (await mf.ready).origin
  await deliveries(post(base))
  const second = await mf.getWorker('second')
  const viaSecond = (path, body, token) =>
    second.fetch(`https://second.example${path}`, {
      method: 'POST',
      body,
      headers: { 'upstash-signature': token, 'upstash-message-id': 'msg_edge' },
    })
  const acrossIsolates = Signer.dev().sign(HOOK.replace('/hook', '/once'), 'hello')
  assert.equal((await post(base)('/once', 'hello', acrossIsolates)).status, 200)
  const refused = await viaSecond('/once', 'hello', acrossIsolates)
  assert.deepEqual([refused.status, await refused.json()], [401, { error: 'invalid_signature', reason: 'replayed' }])
  // Replay protection across requests to one Worker through the Durable Object store.
  const HOOK_ONCE = HOOK.replace('/hook', '/once')
  const token = Signer.dev().sign(HOOK_ONCE, 'hello')
  const first = await post(base)('/once', 'hello', token)
  assert.equal(first.status, 200)
  const again = await post(base)('/once', 'hello', token)
  assert.equal(again.status, 401)
  assert.deepEqual(await again.json(), { error: 'invalid_signature', reason: 'replayed' })
  assert.equal((await post(base)('/once', 'hello', Signer.dev().sign(HOOK_ONCE, 'hello'))).status, 200)
  const receiver = await post(base)('/receiver', 'hello', Signer.dev().sign(HOOK, 'hellO'))
  assert.deepEqual(await receiver.json(), { build: 'wasm', valid: false, reason: 'body' })
})

test('deno: a Deno.serve handler verifies with the wasm build', async () => {
  const dir = project('deno_server.mjs')
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const deno = join(PACKAGE, 'node_modules', '.bin', 'deno')
  const child = spawn(deno, ['run', '--quiet', '--allow-net=127.0.0.1', '--allow-read', 'deno_server.mjs'], {
    cwd: dir,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanups.push(() => child.kill())
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const port = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /listening (\d+)/.exec(out)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', (code) => reject(new Error(`deno exited with ${code}: ${stderr}`)))
  })
  await deliveries(post(`http://127.0.0.1:${port}`))
})
