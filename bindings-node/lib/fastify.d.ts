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

/** `app.register(fastifyQStash, options)`: the hook for every route of the scope it is registered in. */
export declare function fastifyQStash(instance: any, options: HelperOptions): Promise<void>

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `qstashVerified` on verified deliveries. */
    qstash: import('./fastify').Delivery | null
  }
}
