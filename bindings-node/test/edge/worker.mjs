// A Worker as a user writes it: `qstash-verify` resolves to its WebAssembly build through the
// `workerd` export condition. `/hook` is behind the fetch helper; `/receiver` calls the
// `Receiver` API directly.
import { Receiver, SignatureError, build, withQStash } from 'qstash-verify'

const receiver = Receiver.dev()
const hook = withQStash(
  async (request, delivery) => Response.json({ build, body: delivery.text(), messageId: delivery.messageId, sub: delivery.claims.sub }),
  { receiver, logger: null },
)

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url)
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
