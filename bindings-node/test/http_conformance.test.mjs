// The HTTP conformance cases (`vectors/http_conformance.jsonl`) through every JavaScript front
// end: the Express middleware, the Fastify hook, the Koa middleware, h3 on Node and the Next.js
// Pages Router over real HTTP on loopback; the fetch helper (native and WebAssembly builds) and Hono with WHATWG Requests.
// Every front end must give the same answers.
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { createApp, createRouter, eventHandler, toNodeListener } from 'h3'
import { Hono } from 'hono'
import { qstash } from 'qstash-verify/hono'
import { verifySignatureH3 } from 'qstash-verify/h3'
import { verifySignature } from 'qstash-verify/nextjs'
import * as cases from './http_cases.mjs'

const require = createRequire(import.meta.url)
const { qstashVerified } = require('../lib/express.js')
const { qstashVerified: fastifyVerified } = require('../lib/fastify.js')
const { qstashVerified: koaVerified } = require('../lib/koa.js')
const { withQStash } = require('../lib/fetch.js')
const wasmBuild = await import('../wasm/inline.mjs')

function expressApp(c) {
  const app = express()
  if (c.async_middleware) {
    // What a session store or a rate limiter does: wait before the next middleware runs.
    app.use(async (_req, _res, next) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      next()
    })
  }
  const router = express.Router()
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  router.post(cases.ROUTE, qstashVerified(options), (req, res) => res.json(cases.answer(req.qstash)))
  if (c.mount) app.use(c.mount, router)
  else app.use(router)
  return app
}

/** Sends the exact bytes of a request with `node:http` (repeated headers, bytes that are not
 * text, chunked bodies), and reads the answer. */
function send(port, request) {
  return new Promise((resolve, reject) => {
    // A name given twice becomes an array, which `node:http` sends as two header lines.
    const headers = {}
    for (const [name, value] of request.headers) {
      const text = value.toString('latin1')
      headers[name] = name in headers ? [headers[name], text].flat() : text
    }
    if (!request.chunked) headers['content-length'] = String(request.body.length)
    const outgoing = http.request({ host: '127.0.0.1', port, method: request.method, path: request.target, headers })
    outgoing.on('error', reject)
    outgoing.on('response', (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }))
    })
    for (const chunk of request.chunks) outgoing.write(chunk)
    outgoing.end()
  })
}

/** What an awaiting middleware (a session store, a rate limiter) does before the next runs. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 5))

/** h3 as Nuxt runs it, the route in a sub-app mounted at the case's prefix. */
function h3Listener(c) {
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  const route = verifySignatureH3(async (event) => cases.answer(event.context.qstash), options)
  const routes = createApp().use(createRouter().post(cases.ROUTE, route))
  const app = createApp()
  if (c.async_middleware)
    app.use(
      eventHandler(async () => {
        await pause()
      }),
    )
  app.use(c.mount ?? '/', routes)
  return toNodeListener(app)
}

/** A Next.js Pages Router API route (body parser off, as the official helper needs too). */
function pagesListener(c) {
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  const route = verifySignature((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(cases.answer(req.qstash)))
  }, options)
  return async (req, res) => {
    if (c.async_middleware) await pause()
    await route(req, res)
  }
}

/** Serves `listener` on loopback and sends the case's request (twice when it says so). */
async function viaListener(c, listener) {
  const server = http.createServer(listener)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const request = cases.request(c)
    if (c.send_twice) await send(server.address().port, request)
    return await send(server.address().port, request)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** Fastify with the hook on the route, under the case's prefix as a plugin's `prefix`; every
 * body parsed as bytes (Fastify refuses an empty JSON body, and unknown types, on its own). */
async function viaFastify(c) {
  const app = Fastify()
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  if (c.async_middleware)
    app.addHook('onRequest', async () => {
      await pause()
    })
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  const routes = async (scope) => {
    scope.post(cases.ROUTE, { preParsing: fastifyVerified(options) }, async (request) => cases.answer(request.qstash))
  }
  app.register(routes, { prefix: c.mount ?? '' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    const port = app.server.address().port
    const request = cases.request(c)
    if (c.send_twice) await send(port, request)
    return await send(port, request)
  } finally {
    app.server.closeAllConnections()
    await app.close()
  }
}

/** Koa, the route under the case's prefix as a mounted app sees it (`ctx.path` stripped of the
 * prefix, `ctx.originalUrl` whole). */
function koaListener(c) {
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  const verified = koaVerified(options)
  const app = new Koa()
  if (c.async_middleware)
    app.use(async (_ctx, next) => {
      await pause()
      await next()
    })
  app.use(async (ctx, next) => {
    const mount = c.mount ?? ''
    if (!ctx.path.startsWith(mount)) return next()
    ctx.path = ctx.path.slice(mount.length) || '/'
    if (ctx.method !== 'POST' || ctx.path !== cases.ROUTE) return next()
    await verified(ctx, async () => {
      ctx.body = cases.answer(ctx.state.qstash)
    })
  })
  return app.callback()
}

async function viaHono(c) {
  const options = { receiver: cases.receiver(c), ...cases.gateOptions(c), logger: null }
  const routes = new Hono().post(cases.ROUTE, qstash(options), (ctx) => ctx.json(cases.answer(ctx.get('qstash'))))
  const app = new Hono()
  if (c.async_middleware)
    app.use(async (_ctx, next) => {
      await pause()
      await next()
    })
  app.route(c.mount ?? '/', routes)
  const request = cases.request(c)
  if (c.send_twice) await app.request(fetchRequest(request))
  const response = await app.request(fetchRequest(request))
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) }
}

async function viaExpress(c) {
  const server = await new Promise((resolve) => {
    const s = expressApp(c).listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const port = server.address().port
    const request = cases.request(c)
    if (c.send_twice) await send(port, request)
    return await send(port, request)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

function fetchRequest(request) {
  const headers = new Headers()
  for (const [name, value] of request.headers) headers.append(name, value.toString('latin1'))
  let body
  if (request.chunked) {
    const chunks = request.broken ? request.chunks.slice(0, 1) : request.chunks
    body = new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk))
        if (request.broken) controller.error(new Error('the client went away'))
        else controller.close()
      },
    })
  } else {
    headers.set('content-length', String(request.body.length))
    body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body
  }
  return new Request(`http://127.0.0.1${request.target}`, { method: request.method, headers, body, duplex: 'half' })
}

async function viaFetch(c, build = { Receiver: undefined, withQStash }) {
  const options = { receiver: cases.receiver(c, build.Receiver), ...cases.gateOptions(c), logger: null }
  const handler = build.withQStash(async (_request, delivery) => Response.json(cases.answer(delivery)), options)
  const request = cases.request(c)
  if (c.send_twice) await handler(fetchRequest(request))
  const response = await handler(fetchRequest(request))
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: Buffer.from(await response.arrayBuffer()),
  }
}

const viaWasm = (c) => viaFetch(c, wasmBuild)

// Edge isolates share no memory: the WebAssembly build has no replay protection to test.
const runs = (name, c) => !(c.skip && name in c.skip) && !(name === 'fetch (wasm)' && c.replay)

const frontEnds = [
  ['express', viaExpress],
  ['fastify', viaFastify],
  ['koa', (c) => viaListener(c, koaListener(c))],
  ['h3', (c) => viaListener(c, h3Listener(c))],
  ['next pages', (c) => viaListener(c, pagesListener(c))],
  ['fetch', viaFetch],
  ['hono', viaHono],
  ['fetch (wasm)', viaWasm],
]

/** The cases each front end does not run, by id, and why: the exact set, so a case that drops
 * out (a `skip` added to the vectors, a filter here) fails this test instead of passing it. */
const BROKEN_OFF = 'a client that breaks off its body has closed the connection: no response can be read over HTTP'
const NOT_RUN = {
  express: { unreadable: BROKEN_OFF },
  fastify: { unreadable: BROKEN_OFF },
  koa: { unreadable: BROKEN_OFF },
  h3: { unreadable: BROKEN_OFF },
  'next pages': { unreadable: BROKEN_OFF },
  fetch: {},
  hono: {},
  'fetch (wasm)': { 'replay-first': 'edge isolates share no memory', replayed: 'edge isolates share no memory' },
}

for (const [name, via] of frontEnds) {
  test(`${name} answers every HTTP case like every front end`, async (t) => {
    const failures = []
    const ran = []
    const notRun = cases.CASES.filter((c) => !runs(name, c)).map((c) => c.id)
    for (const c of cases.CASES.filter((c) => runs(name, c))) {
      ran.push(c.id)
      const { status, headers, body } = await via(c)
      for (const difference of cases.differences(c, status, headers, body)) failures.push(`${c.id}: ${difference}`)
    }
    for (const id of notRun) t.diagnostic(`not run: ${id} (${NOT_RUN[name][id] ?? 'no reason given'})`)
    assert.deepEqual(notRun.sort(), Object.keys(NOT_RUN[name]).sort(), 'the cases this front end does not run')
    assert.deepEqual(ran.length + notRun.length, cases.CASES.length)
    assert.deepEqual(failures, [])
  })
}
