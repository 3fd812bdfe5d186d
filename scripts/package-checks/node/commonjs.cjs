// The package as a CommonJS user requires it: every entry point, a signed delivery accepted and
// a tampered one refused.
'use strict'
const assert = require('node:assert/strict')
const { Receiver, SignatureError, Signer } = require('qstash-verify')
const { qstashVerified } = require('qstash-verify/express')
const { verifyRequest, withQStash } = require('qstash-verify/fetch')

const url = 'https://app.example.com/api/qstash'
const token = Signer.dev().sign(url, Buffer.from('{"n":1}'))
const receiver = Receiver.dev()
assert.equal(receiver.verifySync({ signature: token, body: '{"n":1}', url }).sub, url)
assert.throws(
  () => receiver.verifySync({ signature: token, body: '{"n":2}', url }),
  (error) => error instanceof SignatureError && error.reason === 'body',
)
assert.equal(typeof qstashVerified, 'function')
assert.equal(typeof verifyRequest, 'function')
assert.equal(typeof withQStash, 'function')
assert.equal(require('qstash-verify/package.json').name, 'qstash-verify')
console.log('commonjs: ok')
