// SPEC.md §7.10, one rule for every helper of both builds: a helper given no keys is built
// without them (an app starts, and `next build` imports its routes, without secrets), reads
// them from the environment when a delivery arrives, refuses every delivery with 401
// `no_keys` until it can (its log line saying why and how to fix it), and verifies the next
// delivery once they are set, with no restart. Never a thrown error, never a 500.
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { createApp, createRouter, toNodeListener } from 'h3'
import { Hono } from 'hono'
import { qstash as honoQStash } from 'qstash-verify/hono'
import { verifySignatureH3 } from 'qstash-verify/h3'
import { verifySignature, verifySignatureAppRouter } from 'qstash-verify/nextjs'
import * as wasmBuild from '../wasm/inline.mjs'
import { qstash } from './support.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { qstashVerified: fastifyVerified } = require('../lib/fastify.js')
const { qstashVerified: koaVerified } = require('../lib/koa.js')
const { withQStash } = require('../lib/fetch.js')
const { withQStash: withQStashLambda } = require('../lib/aws-lambda.js')
const { Signer } = qstash

const BODY = '{"order":42}'
const URL_ = 'http://127.0.0.1/api/qstash'
const CURRENT = 'sig_missingKeysCurrent000000000'
const NEXT = 'sig_missingKeysNext111111111111'
const VARIABLES = ['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'QSTASH_REGION', 'QSTASH_DEV']
const NO_KEYS = { status: 401, body: { error: 'invalid_signature', reason: 'no_keys' } }
const OK = { status: 200, body: { ok: true } }

for (const name of VARIABLES) delete process.env[name]

/** A logger that keeps what it is given, at every level. */
function recorder() {
  const lines = []
  const keep = (line) => lines.push(String(line))
  return { lines, logger: { error: keep, warn: keep, info: keep } }
}

/** A Node listener on loopback; `post(token)` sends one delivery and reads the answer. */
async function serve(listener, use) {
  const server = http.createServer(listener)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const base = `http://127.0.0.1:${server.address().port}`
    return await use(async (token) => {
      const r = await fetch(`${base}/api/qstash`, {
        method: 'POST',
        body: BODY,
        headers: { 'upstash-signature': token, 'content-type': 'application/json' },
      })
      return { status: r.status, body: await r.json() }
    })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

const viaRequest = (handler) => async (use) =>
  use(async (token) => {
    const r = await handler(new Request(URL_, { method: 'POST', body: BODY, headers: { 'upstash-signature': token } }))
    return { status: r.status, body: await r.json() }
  })

const helpers = {
  express: (logger) => {
    const app = express()
    app.post('/api/qstash', qstashVerified({ logger }), (_req, res) => res.json({ ok: true }))
    return (use) => serve(app, use)
  },
  fastify: (logger) => async (use) => {
    const app = Fastify()
    app.post('/api/qstash', { preParsing: fastifyVerified({ logger }) }, async () => ({ ok: true }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const base = `http://127.0.0.1:${app.server.address().port}`
      return await use(async (token) => {
        const r = await fetch(`${base}/api/qstash`, {
          method: 'POST',
          body: BODY,
          headers: { 'upstash-signature': token, 'content-type': 'application/json' },
        })
        return { status: r.status, body: await r.json() }
      })
    } finally {
      await app.close()
    }
  },
  koa: (logger) => {
    const app = new Koa()
    const verified = koaVerified({ logger })
    app.use(async (ctx, next) =>
      verified(ctx, async () => {
        ctx.body = { ok: true }
        await next()
      }),
    )
    return (use) => serve(app.callback(), use)
  },
  fetch: (logger) => viaRequest(withQStash(async () => Response.json({ ok: true }), { logger })),
  'fetch (wasm)': (logger) => viaRequest(wasmBuild.withQStash(async () => Response.json({ ok: true }), { logger })),
  'next app router': (logger) => viaRequest(verifySignatureAppRouter(async () => Response.json({ ok: true }), { logger })),
  'next pages router': (logger) => {
    const route = verifySignature(
      (_req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end('{"ok":true}')
      },
      { logger },
    )
    return (use) => serve(route, use)
  },
  h3: (logger) => {
    const route = verifySignatureH3(async () => ({ ok: true }), { logger })
    return (use) => serve(toNodeListener(createApp().use(createRouter().post('/api/qstash', route))), use)
  },
  hono: (logger) => {
    const app = new Hono()
    app.post('/api/qstash', honoQStash({ logger }), (c) => c.json({ ok: true }))
    return viaRequest((request) => app.fetch(request))
  },
  'aws lambda': (logger) => {
    const handler = withQStashLambda(async () => ({ statusCode: 200, body: '{"ok":true}' }), { logger })
    return async (use) =>
      use(async (token) => {
        const event = {
          version: '2.0',
          rawPath: '/api/qstash',
          rawQueryString: '',
          headers: { 'upstash-signature': token, 'content-type': 'application/json' },
          requestContext: { http: { method: 'POST', path: '/api/qstash' } },
          body: BODY,
          isBase64Encoded: false,
        }
        const answer = await handler(event, {})
        return { status: answer.statusCode, body: JSON.parse(answer.body) }
      })
  },
}

for (const [name, build] of Object.entries(helpers)) {
  test(`${name}: built without keys, refuses no_keys saying how to fix it, then reads the keys once they are set`, async () => {
    const { lines, logger } = recorder()
    const run = build(logger) // no keys anywhere: nothing throws
    try {
      await run(async (post) => {
        const sign = (key) => new Signer(key).sign(URL_, BODY)
        assert.deepEqual(await post(sign(CURRENT)), NO_KEYS)
        const said = lines.filter((line) => /reason=no_keys/.test(line))
        assert.equal(said.length, 1, lines.join('\n'))
        assert.match(said[0], /QSTASH_CURRENT_SIGNING_KEY/)
        assert.match(said[0], /QSTASH_DEV=1/)
        // Set, with no restart: the next delivery is verified, another account's refused.
        process.env.QSTASH_CURRENT_SIGNING_KEY = CURRENT
        process.env.QSTASH_NEXT_SIGNING_KEY = NEXT
        assert.deepEqual(await post(sign(CURRENT)), OK)
        assert.equal((await post(sign('sig_anotherAccount0000000000000'))).status, 401)
      })
    } finally {
      for (const variable of VARIABLES) delete process.env[variable]
    }
  })
}
