// After `npm install qstash-verify`: the README's AWS Lambda example (lambda-example.cjs)
// accepts a signed delivery in a REST API event (stage, base64 body) and refuses a tampered
// one with 401 body.
// usage: node aws-lambda.cjs EVENTS_DIR
const assert = require('node:assert/strict')
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

process.env.QSTASH_DEV = '1' // the development keys, as `qstash-kit dev` prints them
delete process.env.QSTASH_CURRENT_SIGNING_KEY
delete process.env.QSTASH_NEXT_SIGNING_KEY
const { Signer } = require('qstash-verify')
const { handler } = require('./lambda-example.cjs')

const URL = 'https://1234567890.execute-api.us-east-1.amazonaws.com/prod/api/orders'
const BODY = Buffer.from('{"id":7}')

function event(body) {
  const sample = JSON.parse(readFileSync(join(process.argv[2], 'rest-api.json'), 'utf8'))
  Object.assign(sample, { path: '/api/orders', body: body.toString('base64'), isBase64Encoded: true })
  Object.assign(sample, { queryStringParameters: null, multiValueQueryStringParameters: null })
  sample.requestContext.path = '/prod/api/orders'
  sample.headers = { 'Upstash-Signature': Signer.dev().sign(URL, BODY), 'Upstash-Message-Id': 'msg_7' }
  sample.multiValueHeaders = Object.fromEntries(Object.entries(sample.headers).map(([name, value]) => [name, [value]]))
  return sample
}

;(async () => {
  assert.deepEqual(await handler(event(BODY), {}), { statusCode: 200, body: '{"order":7,"message":"msg_7"}' })
  const refused = await handler(event(Buffer.from('{"id":8}')), {})
  assert.deepEqual([refused.statusCode, JSON.parse(refused.body)], [401, { error: 'invalid_signature', reason: 'body' }])
  console.log('aws lambda README example: ok')
})().catch((error) => {
  console.error(error)
  process.exit(1)
})
