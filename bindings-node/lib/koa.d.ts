// Koa: the middleware, with `ctx.state.qstash` set on verified deliveries.
import type { Delivery as CoreDelivery, Gate, HelperOptions } from './core'

export type { HelperOptions }

/** A verified delivery, its body a `Buffer`. */
export type Delivery = CoreDelivery<Buffer>

export interface KoaOptions extends HelperOptions {
  /** How `ctx.request.body` is set after verification: by content type (default), or always one kind. */
  parse?: 'auto' | 'json' | 'text' | 'raw'
}

/** The state a verified delivery leaves: `ctx.state.qstash`. */
export interface QStashState {
  qstash: Delivery
}

/** Koa middleware; sets `ctx.state.qstash`, `ctx.request.body` and `ctx.request.rawBody`. */
export declare function qstashVerified(options?: KoaOptions | Gate): (ctx: any, next: () => Promise<unknown>) => Promise<void>
