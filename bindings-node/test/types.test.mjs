// The reason unions of the declaration files are the gate's own list: every code a
// `SignatureError` or a `Rejection` can carry, none missing and none invented.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { here, qstash } from './support.mjs'

const HTTP_ONLY = ['replay_store_unavailable', 'payload_too_large', 'unreadable_body']

/** The string literals of `export type <name> = … ;` in `source`, in order, following
 * references to the other unions of the file. */
function union(source, name) {
  const match = new RegExp(`export type ${name} =([^;]*?)(?:\\n\\n|\\nexport|$)`).exec(source)
  assert.ok(match, `no type ${name}`)
  const codes = []
  for (const part of match[1]
    .split('|')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part.startsWith("'")) codes.push(part.slice(1, -1))
    else codes.push(...union(source, part))
  }
  return codes
}

test('the reason unions of the declarations are the reason codes of the gate', () => {
  const source = readFileSync(join(here, '..', 'lib', 'core.d.ts'), 'utf8')
  const codes = qstash.REASON_CODES
  assert.deepEqual(union(source, 'RejectionReason'), codes)
  assert.deepEqual(
    union(source, 'SignatureErrorReason'),
    codes.filter((code) => !HTTP_ONLY.includes(code)),
  )
  assert.ok(codes.includes('replayed'))
})
