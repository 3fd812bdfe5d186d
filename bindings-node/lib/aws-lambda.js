'use strict'
// AWS Lambda: verifies the delivery of an API Gateway (REST or HTTP API), function URL or load
// balancer event before an `(event, context)` handler runs. The gate reads the event, verifies
// it in one call and writes the refusal in its shape (`qstash_gate::lambda`); this file only
// moves values.

// @ts-expect-error: `api` is the helpers' handle on the package, not part of its public types
const { api } = require('./qstash.js')
const { native } = require('./native.js')

const { Rejection, gateOf } = api

/**
 * `export const handler = withQStash(async (event, context, delivery) => …, options)`: the
 * handler runs only for verified deliveries, with the verified `delivery` (its `body` the exact
 * bytes, base64 bodies decoded). A refusal is returned as the event's proxy response: 401
 * `{"error":"invalid_signature","reason":"<code>"}`, 413, 400 or 503.
 */
function withQStash(handler, options = {}) {
  const gate = gateOf(options)
  return async function qstashVerifiedHandler(event, context) {
    let shape
    let delivery
    try {
      // Throws for an event that is not HTTP: there is no caller to answer.
      const verified = gate.verifyLambda(typeof event === 'string' ? event : JSON.stringify(event))
      shape = verified.shape
      delivery = await verified.pending.finish(verified.body)
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      return JSON.parse(native.lambdaResponse(shape ?? error.shape, error.status, error.headers, error.body))
    }
    return handler(event, context, delivery)
  }
}

module.exports = { withQStash }
