// The shared public vectors through the runner, as users call it (SPEC.md §8).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { VECTORS, here } from './support.mjs'

function check(args) {
  const out = execFileSync(process.execPath, [join(here, 'conformance.mjs'), ...args, VECTORS], { encoding: 'utf8' })
    .trim()
    .split('\n')
  const cases = readFileSync(VECTORS, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
  assert.equal(cases.length, 119)
  assert.equal(out.length, cases.length)
  const wrong = []
  cases.forEach((c, i) => {
    const got = JSON.parse(out[i])
    assert.equal(got.id, c.id, 'runner output is out of order')
    if (got.verdict !== c.expect || got.reason !== c.expect_reason) wrong.push([c.id, c.expect_reason, got.reason])
  })
  assert.deepEqual(wrong, [])
  return out
}

test('runner agrees with every public vector on verdict and reason', () => {
  check([])
})

test('the WebAssembly build gives the native verdicts and reasons on every vector', () => {
  assert.deepEqual(check(['--wasm']), check([]))
})
