// Compiled with `tsc --noEmit`: the package's types as a TypeScript user meets them.
import { ConfigError, Receiver, RedisReplayGuard, SignatureError, Signer, type Claims, type SignatureErrorReason } from '../lib/qstash'
import { qstashVerified, type Delivery } from '../lib/express'
import { Gate, durableObjectReplayStore, redisReplayStore, verifyRequest, withQStash, type ReplayStore } from '../lib/fetch'
import { Hono } from 'hono'
import Fastify from 'fastify'
import expressApp from 'express'
import { fastifyQStash, qstashVerified as fastifyVerified } from '../lib/fastify'
import { qstashVerified as koaVerified, type QStashState } from '../lib/koa'
import { qstash, type QStashVariables } from '../frameworks/hono'
import { withQStash as withQStashLambda, type APIGatewayProxyEventV2, type ALBEvent } from '../lib/aws-lambda'

async function main(): Promise<void> {
  const receiver = new Receiver({ currentSigningKey: 'sig_a', nextSigningKey: 'sig_b' })
  const fromEnv: Receiver = new Receiver()
  const token: string = Signer.dev().sign('https://a.example/x', new Uint8Array([1, 2]), { now: 1, jti: 'jwt_x' })
  const ok: true = await receiver.verify({ signature: token, body: 'x', url: 'https://a.example/x', clockTolerance: 5 })
  const claims: Claims = Receiver.dev().verifySync({ signature: token, body: Buffer.from('x'), upstashRegion: null })
  const key: string = claims.key
  try {
    fromEnv.verifySync({ signature: token, body: 'x' })
  } catch (error) {
    if (error instanceof SignatureError) {
      const reason: SignatureErrorReason = error.reason
      void reason
    } else if (error instanceof ConfigError) {
      const config: 'config' = error.reason
      void config
    }
  }
  const middleware = qstashVerified({ receiver, bodyLimit: 1024, parse: 'json' })
  const handler = withQStash(async (_request: Request, delivery) => Response.json(delivery.json<{ a: number }>()))
  const gated = withQStash(async () => new Response('ok'), new Gate({ receiver, url: 'https://a.example/x' }))
  const result = await verifyRequest(new Request('https://a.example/x'), { publicBase: 'https://a.example' })
  if (result.verified) {
    const d: Delivery = result.delivery
    void d
  } else {
    const r: Response = result.response
    void r
  }
  void ok
  void key
  void middleware
  void handler
  void gated
}

void main

export function withSharedReplayProtection(url: string): ReturnType<typeof qstashVerified> {
  const replayGuard = new RedisReplayGuard(url, { failOpen: false, timeoutMs: 500 })
  return qstashVerified({ replayGuard, publicBase: 'https://hooks.example.com', forwarded: undefined })
}

// Hono: the delivery is typed after the middleware in the same route, and on an app that
// declares the variables for `use`.
const hono = new Hono()
hono.post('/api/qstash', qstash({ devMode: true }), (c) => c.json({ id: c.get('qstash').messageId, sub: c.get('qstash').claims.sub }))
const guarded = new Hono<{ Variables: QStashVariables }>()
guarded.use('/api/*', qstash())
guarded.post('/api/qstash', (c) => c.text(c.get('qstash').text()))

// AWS Lambda: the handler's event is the shape it declares, the delivery is typed.
export const httpApiHandler = withQStashLambda(async (event: APIGatewayProxyEventV2, context: unknown, delivery) => ({
  statusCode: 200,
  body: `${event.rawPath} ${delivery.text()} ${delivery.claims.sub}`,
}))
export const albHandler = withQStashLambda(async (event: ALBEvent, context: unknown, delivery) => ({ statusCode: 200, body: delivery.body.toString('hex') + event.path }), {
  receiver: Receiver.dev(),
})

// Fastify: the hook on a route or a scope, `request.qstash` typed on Fastify's request.
const fastifyApp = Fastify()
fastifyApp.post('/api/qstash', { preParsing: fastifyVerified({ receiver: Receiver.dev() }) }, async (request) => ({
  id: request.qstash?.messageId,
}))
fastifyApp.register(async (scope) => {
  await scope.register(fastifyQStash, { receiver: Receiver.dev() })
  scope.post('/hooks/qstash', async (request) => ({ sub: request.qstash?.claims.sub }))
})

// Koa (which ships no types of its own): the middleware, and the state it leaves.
export const koaMiddleware: (ctx: any, next: () => Promise<unknown>) => Promise<void> = koaVerified({ receiver: Receiver.dev(), parse: 'raw' })
export const koaHandler = (ctx: { state: QStashState; body: unknown }): void => {
  ctx.body = { id: ctx.state.qstash.messageId, bytes: ctx.state.qstash.body.length }
}

// Callbacks: a verified delivery read as the callback QStash sent.
export const callbackHandler = withQStash(async (_request, delivery) => {
  const callback = delivery.callback()
  const failed: boolean = callback.dlqId !== null
  const answer: string = callback.body.toString('utf8')
  return Response.json({ failed, answer, status: callback.status, source: callback.sourceMessageId })
})

/** `onOutcome` is typed in every helper's options: the fields and their fixed values. */
export function countedOutcomes(counts: Map<string, number>): ReturnType<typeof qstashVerified> {
  return qstashVerified({
    onOutcome: (outcome) => {
      const key: 'current' | 'next' | 'none' = outcome.key
      const label = `${outcome.outcome}:${outcome.reason}:${key}:${outcome.region}`
      counts.set(label, (counts.get(label) ?? 0) + 1)
      const id: string | null = outcome.messageId
      void id
    },
  })
}

/** `replayStore` is typed in every helper's options, and so are the ready-made stores. */
export function withReplayStores(namespace: Parameters<typeof durableObjectReplayStore>[0]): void {
  const store: ReplayStore = { claim: async (id: string, ttlSeconds: number) => id.length > 0 && ttlSeconds > 0, timeoutMs: 500 }
  qstashVerified({ replayStore: store })
  void verifyRequest(new Request('https://a.example/hook'), { replayStore: durableObjectReplayStore(namespace, { failOpen: false }) })
  const upstashLike = { set: async (_key: string, _value: number, _options: { nx: true; px: number }) => 'OK' as const }
  void withQStash(async () => new Response('ok'), { replayStore: redisReplayStore(upstashLike, { prefix: 'app:' }) })
}

// The README's lines, as written there, compile under `--strict`: behind the helpers the
// delivery is there (it was typed `Delivery | null` and optional once).

const readmeExpress = expressApp()
readmeExpress.post('/api/qstash', qstashVerified(), (req, res) => {
  res.json({ ok: true, id: req.qstash.messageId })
})

const readmeFastify = Fastify()
readmeFastify.post('/api/qstash', { preParsing: fastifyVerified() }, async (request) => ({ id: request.qstash.messageId }))
readmeFastify.register(async (webhooks) => {
  await webhooks.register(fastifyQStash)
  webhooks.post('/api/qstash', async (request) => ({ sub: request.qstash.claims.sub }))
})
