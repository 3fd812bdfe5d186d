import type { Delivery as CoreDelivery, Gate, HelperOptions } from './core'

export type { HelperOptions }

/** A verified delivery, its body a `Buffer`. */
export type Delivery = CoreDelivery<Buffer>

export interface ExpressOptions extends HelperOptions {
  /** How `req.body` is set after verification: by content type (default), or always one kind. */
  parse?: 'auto' | 'json' | 'text' | 'raw'
}

type Next = (error?: unknown) => void

/** Express middleware; sets `req.qstash` and `req.body` for the next handler. Mount it before
 * body parsers, or after one that keeps the raw bytes (`express.raw({ type: '*\/*' })`, or
 * `express.json({ verify })` setting `req.rawBody`). */
export declare function qstashVerified(options?: ExpressOptions | Gate): (req: any, res: any, next: Next) => void

declare global {
  namespace Express {
    interface Request {
      /** The verified delivery, in handlers after `qstashVerified` (which only run for
       * verified deliveries); unset on routes it does not guard. */
      qstash: import('./express').Delivery
      /** The raw bytes `express.json({ verify })` can keep for `qstashVerified`. */
      rawBody?: Buffer | string
    }
  }
}
