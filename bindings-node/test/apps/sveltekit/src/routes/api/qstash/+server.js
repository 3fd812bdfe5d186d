// A SvelteKit endpoint as its docs show one, with the official helper's name and signature.
import { json } from '@sveltejs/kit'
import { verifySignatureSvelte } from 'qstash-verify/svelte'

export const POST = verifySignatureSvelte(
  async (event) => json({ order: (await event.request.json()).order, id: event.locals.qstash.messageId }),
  { devMode: true, logger: null },
)
