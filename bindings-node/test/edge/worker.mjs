// A Worker as a user writes it: `qstash-verify` resolves to its WebAssembly build through the
// `workerd` export condition. `/hook` is behind the fetch helper; `/receiver` calls the
// `Receiver` API directly; `/once` refuses replays through a Durable Object (bound as
// QSTASH_REPLAY when the test gives the binding).
import { QStashReplayObject, Receiver, SignatureError, build, durableObjectReplayStore, verifyRequest, withQStash } from 'qstash-verify'

export { QStashReplayObject }

const receiver = Receiver.dev()
const hook = withQStash(
  async (_request, delivery) => Response.json({ build, body: delivery.text(), messageId: delivery.messageId, sub: delivery.claims.sub }),
  { receiver, logger: null },
)

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url)
    if (pathname === '/once') {
      const options = { receiver, logger: null, replayStore: durableObjectReplayStore(env.QSTASH_REPLAY) }
      const result = await verifyRequest(request, options)
      return result.verified ? Response.json({ jti: result.delivery.claims.jti }) : result.response
    }
    if (pathname === '/receiver') {
      try {
        await receiver.verify({ signature: request.headers.get('upstash-signature'), body: await request.text() })
        return Response.json({ build, valid: true })
      } catch (error) {
        if (!(error instanceof SignatureError)) throw error
        return Response.json({ build, valid: false, reason: error.reason }, { status: 401 })
      }
    }
    return hook(request)
  },
}
