// `npm pack` refuses a package without the native addon or the WebAssembly build (the
// `prepack` script), and lets a complete one through: a local build or a release whose addons
// are in their platform packages.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { here } from './support.mjs'

const script = join(here, '..', 'scripts', 'refuse-incomplete-pack.mjs')

function pack(files) {
  const folder = mkdtempSync(join(tmpdir(), 'qstash-pack-'))
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(folder, name, '..'), { recursive: true })
      writeFileSync(join(folder, name), content)
    }
    const run = spawnSync(process.execPath, [script, folder], { encoding: 'utf8' })
    return [run.status, run.stderr]
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

const manifest = JSON.stringify({ name: 'qstash-verify' })
const wasm = { 'wasm/pkg/qstash_verify_bg.wasm': '', 'wasm/pkg/qstash_verify.js': '', 'wasm/pkg/core.mjs': '' }

test('npm pack refuses a package without the addon or the WebAssembly build, and says how to build them', () => {
  const [status, stderr] = pack({ 'package.json': manifest })
  assert.equal(status, 1)
  assert.match(stderr, /the native addon: run `npm install` then `npm run build`/)
  assert.match(stderr, /the WebAssembly build: run `npm run build:wasm`/)
  assert.deepEqual(pack({ 'package.json': manifest, ...wasm })[0], 1)
  assert.deepEqual(pack({ 'package.json': manifest, 'qstash-verify.linux-x64-gnu.node': '' })[0], 1)
})

test('npm pack lets a complete package through: a local build, or a release with platform packages', () => {
  assert.deepEqual(pack({ 'package.json': manifest, 'qstash-verify.linux-x64-gnu.node': '', ...wasm }), [0, ''])
  const release = JSON.stringify({ name: 'qstash-verify', optionalDependencies: { 'qstash-verify-linux-x64-gnu': '0.1.0' } })
  assert.deepEqual(pack({ 'package.json': release, ...wasm }), [0, ''])
})
