// A Deno server as a user writes it: `qstash-verify` (from node_modules) resolves to its
// WebAssembly build through the `deno` export condition. Prints `listening <port>` once ready.
import { Receiver, build, withQStash } from 'qstash-verify'

const hook = withQStash(
  async (_request, delivery) => Response.json({ build, body: delivery.text(), messageId: delivery.messageId, sub: delivery.claims.sub }),
  { receiver: Receiver.dev(), logger: null },
)

Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening ${port}`) }, hook)
