// Fastify: the `preParsing` hook and the plugin, and `request.qstash` on Fastify's request type.
import type { Delivery as CoreDelivery, Gate, HelperOptions } from './core'

export type { HelperOptions }

/** A verified delivery, its body a `Buffer`. */
export type Delivery = CoreDelivery<Buffer>

/** A `preParsing` hook: per route (`{ preParsing: qstashVerified() }`) or for a scope
 * (`app.addHook('preParsing', qstashVerified())`). */
export declare function qstashVerified(
  options?: HelperOptions | Gate,
): (request: any, reply: any, payload: NodeJS.ReadableStream) => Promise<unknown>

/** `webhooks.register(fastifyQStash, options)` inside the plugin that holds the webhook
 * routes: the hook for every route of that scope, and only those. Registered on the root
 * instance it refuses to start (it would guard every route of the app). */
export declare function fastifyQStash(instance: any, options?: HelperOptions | Gate): Promise<void>

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified delivery, on the routes the hook guards (their handlers only run for
     * verified deliveries); `null` on routes it does not guard. */
    qstash: import('./fastify').Delivery
  }
}
