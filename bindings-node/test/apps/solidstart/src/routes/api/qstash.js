// A SolidStart API route as its docs show one, with the official helper's name and signature.
import { verifySignatureSolidjs } from 'qstash-verify/solidjs'

export const POST = verifySignatureSolidjs(
  async (event) => Response.json({ order: (await event.request.json()).order, id: event.locals.qstash.messageId }),
  { devMode: true, logger: null },
)
