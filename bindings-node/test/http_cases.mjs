// The HTTP conformance cases of `vectors/http_conformance.jsonl` (format in
// `vectors/README.md`): read, tokens minted, requests laid out as bytes, so the Express and
// fetch runners only translate them into their framework's request and compare answers.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { here, qstash } from './support.mjs'

const { Receiver, Signer } = qstash

// The cases of a guard given a list of paths (`"guard": "paths"`) are the Python middlewares':
// every Node front end is routed to by its framework.
export const CASES = readFileSync(join(here, '..', '..', 'vectors', 'http_conformance.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line))
  .filter((c) => c.guard !== 'paths')
export const ORIGIN = 'https://hooks.example.com'
export const ROUTE = '/api/qstash'
const CURRENT = 'sig_httpCasesCurrentKey00000000'
const NEXT = 'sig_httpCasesNextKey111111111111'
const OTHER = 'sig_httpCasesOtherAccount222222'
const EU_CURRENT = 'sig_httpCasesEuCurrentKey333333'
const EU_NEXT = 'sig_httpCasesEuNextKey4444444444'
const KEYS = { current: CURRENT, next: NEXT, other: OTHER, eu_current: EU_CURRENT }
const DEFAULT_HEADERS = [
  ['content-type', 'application/json'],
  ['upstash-message-id', 'msg_1'],
  ['upstash-retried', '0'],
]

const bytes = (value) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.b64, 'base64'))

/** The case's receiver, of the native build unless another build's `Receiver` is given. */
export function receiver(c, Build = Receiver) {
  const Receiver = Build
  const replayProtection = Boolean(c.replay)
  const pair = { currentSigningKey: CURRENT, nextSigningKey: NEXT }
  switch (c.receiver ?? 'default') {
    case 'default':
      return new Receiver({ ...pair, replayProtection })
    case 'regions_only':
      return new Receiver({ regions: { US_EAST_1: pair }, replayProtection })
    case 'with_eu_region':
      return new Receiver({
        ...pair,
        regions: { EU_CENTRAL_1: { currentSigningKey: EU_CURRENT, nextSigningKey: EU_NEXT } },
        replayProtection,
      })
    default:
      throw new Error(`${c.id}: unknown receiver ${c.receiver}`)
  }
}

/** The helpers' options: the case's `gate` under the JavaScript names. */
export function gateOptions(c) {
  const gate = c.gate ?? {}
  return {
    url: gate.url,
    publicBase: gate.public_base,
    forwarded: gate.forwarded,
    trustedProxies: gate.trusted_proxies,
    checkUrl: gate.check_url,
    bodyLimit: gate.body_limit,
  }
}

function mint(spec, body) {
  if ('raw' in spec) return Buffer.from(spec.raw, 'utf8')
  if ('raw_b64' in spec) return Buffer.from(spec.raw_b64, 'base64')
  let sub = spec.sub ?? ROUTE
  if (sub.startsWith('/')) sub = ORIGIN + sub
  const now = Math.floor(Date.now() / 1000)
  const token = new Signer(KEYS[spec.key ?? 'current']).sign(sub, 'body' in spec ? Buffer.from(spec.body) : body, {
    now: now + (spec.iat ?? 0),
    notBefore: now + (spec.nbf ?? spec.iat ?? 0),
    issuer: spec.iss,
  })
  return Buffer.from(token, 'latin1')
}

/** The request of a case: header values and body as bytes, with a freshly minted token. */
export function request(c) {
  const spec = c.request ?? {}
  const body = 'body' in spec ? bytes(spec.body) : Buffer.from('{"order":42}')
  const token = c.token == null ? null : mint(c.token, body)
  const named = new Set((spec.headers ?? []).map(([name]) => name))
  const headers = DEFAULT_HEADERS.filter(([name]) => !named.has(name)).map(([name, value]) => [name, Buffer.from(value)])
  let placed = false
  for (const [name, value] of spec.headers ?? []) {
    if (value === '{token}' && token) {
      placed = true
      headers.push([name, token])
    } else {
      headers.push([name, bytes(value)])
    }
  }
  if (token && !placed) headers.push(['upstash-signature', token])
  const chunked = Boolean(spec.chunked)
  const chunks = []
  if (chunked) for (let i = 0; i < body.length; i += 4) chunks.push(body.subarray(i, i + 4))
  else chunks.push(body)
  return {
    method: spec.method ?? 'POST',
    target: spec.target ?? ROUTE,
    headers,
    body,
    chunked,
    broken: Boolean(spec.broken),
    chunks,
  }
}

/** What every test handler answers for a verified delivery. */
export function answer(delivery) {
  return {
    message_id: delivery.messageId,
    retried: delivery.retried,
    region: delivery.region,
    sub: delivery.claims.sub,
    key: delivery.claims.key,
    bytes: delivery.body.length,
  }
}

export function differences(c, status, headers, body) {
  const found = []
  if (status !== c.expect.status) found.push(`status ${status}, expected ${c.expect.status}`)
  let parsed
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    found.push(`body ${JSON.stringify(body.toString('latin1'))} is not JSON`)
  }
  if (parsed !== undefined && !isDeepStrictEqual(parsed, c.expect.body)) {
    found.push(`body ${JSON.stringify(parsed)}, expected ${JSON.stringify(c.expect.body)}`)
  }
  for (const [name, want] of Object.entries(c.expect.headers ?? {})) {
    if (headers[name] !== want) found.push(`header ${name}: ${headers[name]}, expected ${want}`)
  }
  return found
}
