// Shared by the tests: the package, the vectors' path, hand-built tokens, whether Redis is here.
import { execFileSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createHash, createHmac } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
export const qstash = require('../lib/qstash.js')
export const here = dirname(fileURLToPath(import.meta.url))
export const VECTORS = join(here, '..', '..', 'vectors', 'qstash_conformance_public.jsonl')
export const URL_ = 'https://my-app.example.com/api/qstash'
export const DEV_CURRENT = 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r'
export const DEV_NEXT = 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs'
export const now = () => Math.floor(Date.now() / 1000)

const b64url = (buf) => Buffer.from(buf).toString('base64url')

export function claims(url, body, at, overrides = {}) {
  const payload = {
    aud: '',
    body: b64url(createHash('sha256').update(body).digest()),
    exp: at + 300,
    iat: at,
    iss: 'Upstash',
    jti: 'jwt_test',
    nbf: at,
    sub: url,
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete payload[k]
    else payload[k] = v
  }
  return payload
}

export function mint(payload, { header = '{"alg":"HS256","typ":"JWT"}', key = DEV_CURRENT, raw } = {}) {
  const text = raw ?? JSON.stringify(payload)
  const input = `${b64url(header)}.${b64url(text)}`
  return `${input}.${b64url(createHmac('sha256', key).update(input).digest())}`
}

/** Whether `redis-server` is installed; without it the Redis tests are skipped, unless
 * QSTASH_REQUIRE_REDIS says they must run (README command 2 sets it), when this throws. */
export function hasRedis() {
  try {
    execFileSync('redis-server', ['--version'])
    return true
  } catch {
    if (process.env.QSTASH_REQUIRE_REDIS) throw new Error('redis-server is required (QSTASH_REQUIRE_REDIS) but not installed')
    return false
  }
}

/** The first line `child` prints on its standard output; fails instead of waiting when it
 * exits first or prints nothing within `ms` (a cold build included). */
export function firstLine(child, what, ms = 300_000) {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${what} printed nothing within ${ms / 1000} s`)), ms)
    child.once('exit', (code) => {
      clearTimeout(deadline)
      reject(new Error(`${what} exited (${code}) before printing a line`))
    })
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(deadline)
      resolve(line)
    })
  })
}
