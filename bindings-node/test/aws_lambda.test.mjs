// `qstash-verify/aws-lambda`: every HTTP conformance case as an event of each shape AWS sends
// (`vectors/lambda_events/`: REST API, HTTP API, function URL, load balancer), answered like
// every other front end; and what only Lambda has: a REST API's stage in the URL, base64
// bodies, events that are not HTTP.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'node:test'
import * as cases from './http_cases.mjs'
import { here, qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { withQStash } = require('qstash-verify/aws-lambda')
const { Receiver, Signer } = qstash

const EVENTS = join(here, '..', '..', 'vectors', 'lambda_events')
const SHAPES = ['rest-api', 'http-api', 'function-url', 'alb']
const template = (shape) => JSON.parse(readFileSync(join(EVENTS, `${shape}.json`), 'utf8'))
const titleCase = (name) => name.replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase())

function grouped(pairs) {
  const values = {}
  for (const [name, value] of pairs) {
    values[name] ??= []
    values[name].push(value)
  }
  return values
}

/** The case's request as AWS would hand it to the function in `shape`. */
function eventFor(request, shape, mount = '') {
  const event = template(shape)
  const [path, query = ''] = request.target.split(/\?(.*)/s)
  const headers = request.headers.map(([name, value]) => [titleCase(name), value.toString('latin1')])
  if (!request.chunked) headers.push(['Content-Length', String(request.body.length)])
  const text = new TextDecoder('utf-8', { fatal: true })
  let body
  let encode = shape === 'rest-api' || shape === 'function-url' // both ways: text and base64
  try {
    body = text.decode(request.body)
  } catch {
    encode = true
  }
  event.body = encode ? request.body.toString('base64') : body
  event.isBase64Encoded = encode
  if (shape === 'http-api' || shape === 'function-url') {
    event.requestContext.http.method = request.method
    event.requestContext.http.path = path
    event.rawPath = path
    event.rawQueryString = query
    // HTTP APIs send names in lower case and join repeated headers with commas.
    event.headers = Object.fromEntries(
      Object.entries(grouped(headers.map(([n, v]) => [n.toLowerCase(), v]))).map(([n, v]) => [n, v.join(',')]),
    )
    return event
  }
  event.httpMethod = request.method
  let parameters
  if (shape === 'rest-api') {
    // The stage (or the router's mount prefix) is in requestContext.path, not in path.
    event.requestContext.httpMethod = request.method
    event.requestContext.path = path
    event.path = mount ? path.slice(mount.length) : path
    parameters = grouped([...new URLSearchParams(query)])
  } else {
    // A load balancer passes the query's parts as they were sent, without decoding them.
    parameters = grouped(
      query
        .split('&')
        .filter(Boolean)
        .map((part) => (part.includes('=') ? part.split(/=(.*)/s).slice(0, 2) : [part, ''])),
    )
    event.path = path
  }
  const none = (object) => (Object.keys(object).length ? object : null)
  event.multiValueQueryStringParameters = none(parameters)
  event.queryStringParameters = none(Object.fromEntries(Object.entries(parameters).map(([n, v]) => [n, v.at(-1)])))
  event.multiValueHeaders = grouped(headers)
  event.headers = Object.fromEntries(Object.entries(event.multiValueHeaders).map(([n, v]) => [n, v.at(-1)]))
  if (shape === 'alb') delete event.headers // a target group with multi-value headers on sends only these
  return event
}

function handlerFor(c) {
  return withQStash(
    async (_event, _context, delivery) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cases.answer(delivery)),
    }),
    { receiver: cases.receiver(c), logger: null, ...cases.gateOptions(c) },
  )
}

function answered(response) {
  const headers = response.headers ?? Object.fromEntries(Object.entries(response.multiValueHeaders ?? {}).map(([n, v]) => [n, v.at(-1)]))
  return [
    response.statusCode,
    Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v])),
    Buffer.from(response.body),
  ]
}

for (const shape of SHAPES) {
  test(`aws lambda (${shape}): every HTTP case is answered like every front end`, async () => {
    let ran = 0
    for (const c of cases.CASES) {
      const request = cases.request(c)
      if (request.broken) continue // a Lambda event holds the whole body
      const handler = handlerFor(c)
      const event = eventFor(request, shape, c.mount)
      if (c.send_twice) await handler(structuredClone(event), {})
      const [status, headers, body] = answered(await handler(event, {}))
      assert.deepEqual(cases.differences(c, status, headers, body), [], `${c.id} (${shape})`)
      ran++
    }
    assert.equal(ran, cases.CASES.length - 1)
  })
}

const STAGE_URL = 'https://1234567890.execute-api.us-east-1.amazonaws.com/prod/api/qstash'
const BODY = Buffer.from('{"order":42}')

function restEvent(token, body = BODY) {
  const event = template('rest-api')
  event.path = '/api/qstash'
  event.requestContext.path = '/prod/api/qstash'
  event.queryStringParameters = event.multiValueQueryStringParameters = null
  event.headers = { 'Upstash-Signature': token, 'Content-Type': 'application/json' }
  event.multiValueHeaders = { 'Upstash-Signature': [token], 'Content-Type': ['application/json'] }
  event.body = body.toString('base64')
  event.isBase64Encoded = true
  return event
}

test('aws lambda: a REST API delivery is verified with its stage in the URL', async () => {
  const handler = withQStash(
    async (_event, _context, delivery) => ({
      statusCode: 200,
      body: JSON.stringify({ order: delivery.json().order, sub: delivery.claims.sub }),
    }),
    {
      receiver: Receiver.dev(),
      publicBase: 'https://1234567890.execute-api.us-east-1.amazonaws.com',
      logger: null,
    },
  )
  const ok = await handler(restEvent(Signer.dev().sign(STAGE_URL, BODY)), {})
  assert.deepEqual([ok.statusCode, JSON.parse(ok.body)], [200, { order: 42, sub: STAGE_URL }])
  const withoutStage = await handler(
    restEvent(Signer.dev().sign('https://1234567890.execute-api.us-east-1.amazonaws.com/api/qstash', BODY)),
    {},
  )
  assert.deepEqual([withoutStage.statusCode, JSON.parse(withoutStage.body).reason], [401, 'subject'])
})

test('aws lambda: a base64 body is verified as its bytes, and a tampered one is refused with 401 body', async () => {
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  const token = Signer.dev().sign(STAGE_URL, binary)
  const handler = withQStash(async (_event, _context, delivery) => ({ statusCode: 200, body: String(delivery.body.equals(binary)) }), {
    receiver: Receiver.dev(),
    logger: null,
  })
  assert.equal((await handler(restEvent(token, binary), {})).body, 'true')
  const tampered = await handler(restEvent(token, Buffer.concat([binary.subarray(0, 255), Buffer.from([0])])), {})
  assert.deepEqual(
    [tampered.statusCode, JSON.parse(tampered.body), tampered.headers['content-type']],
    [401, { error: 'invalid_signature', reason: 'body' }, 'application/json'],
  )
})

test('aws lambda: an event that is not HTTP throws instead of reaching the handler', async () => {
  const handler = withQStash(async () => assert.fail('reached the handler'), { receiver: Receiver.dev(), logger: null })
  await assert.rejects(handler({ Records: [{ eventSource: 'aws:sqs' }] }, {}), /not an API Gateway, function URL or load balancer event/)
  await assert.rejects(handler({ ...restEvent('t'), body: '%%%' }, {}), /isBase64Encoded body is not base64/)
})
