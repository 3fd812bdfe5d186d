// Type-checked against the installed package's own declarations, as a TypeScript user's
// project would be.
import { Receiver, SignatureError, Signer, type Claims } from 'qstash-verify'
import { qstashVerified, type Delivery } from 'qstash-verify/express'
import { verifyRequest, withQStash } from 'qstash-verify/fetch'

const receiver = new Receiver({ currentSigningKey: 'sig_current', nextSigningKey: 'sig_next' })
const token: string = Signer.dev().sign('https://a.example/x', new Uint8Array([1]))
const claims: Claims = Receiver.dev().verifySync({ signature: token, body: new Uint8Array([1]) })
const sub: string = claims.sub

export async function check(request: Request): Promise<Response> {
  const ok: true = await receiver.verify({ signature: token, body: 'x', url: 'https://a.example/x' })
  void ok
  const result = await verifyRequest(request, { receiver })
  if (!result.verified) return result.response
  return Response.json({ sub, bytes: result.delivery.body.length })
}

export const POST = withQStash(async (_request, delivery) => Response.json({ id: delivery.messageId }))
export const middleware = qstashVerified({ receiver, bodyLimit: 1024 })
export function reason(error: unknown): string | undefined {
  return error instanceof SignatureError ? error.reason : undefined
}
export type Seen = Delivery

// The WebAssembly build and the framework subpaths, typed.
import { Receiver as WasmReceiver, withQStash as wasmWithQStash, type FetchDelivery } from 'qstash-verify/wasm'
import { verifySignatureAppRouter } from 'qstash-verify/nextjs'
import { qstash } from 'qstash-verify/hono'
import { verifySignatureSvelte } from 'qstash-verify/svelte'

export const edgeClaims = (signature: string) => new WasmReceiver({ devMode: true }).verifySync({ signature, body: 'x' }).sub
export const edge = wasmWithQStash(async (_request: Request, delivery: FetchDelivery) => new Response(delivery.text()))
export const appRoute = verifySignatureAppRouter(async (request: Request) => new Response(await request.text()), { url: 'https://a.example/x' })
export const honoMiddleware = qstash({ bodyLimit: 1024 })
export const svelteRoute = verifySignatureSvelte(async (event: { request: Request }) => new Response(event.request.url))
