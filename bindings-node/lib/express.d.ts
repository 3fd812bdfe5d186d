import type { Claims, Receiver, RedisReplayGuard } from './qstash'

/** Options of `qstashVerified` (Express) and `verifyRequest` (fetch). */
export interface HelperOptions {
  /** The receiver; default `new Receiver()` (keys from the environment). */
  receiver?: Receiver
  /** Compare `sub` with this exact URL. */
  url?: string
  /** Compare `sub` with this public origin + the request's path and query. */
  publicBase?: string
  /** Rebuild the URL from the `Forwarded` / `X-Forwarded-*` headers of this many trusted proxies. */
  forwarded?: number
  /**
   * `false` skips the URL check. By default the token's path and query must be the request's:
   * that works behind any proxy, but accepts any token of the account with the same path and
   * query whatever host it was minted for; behind a known hostname prefer `publicBase`.
   */
  checkUrl?: boolean
  /** Largest body accepted, in bytes (default 10 MiB); larger bodies get 413. */
  bodyLimit?: number
  /**
   * Refuse a token already accepted by any process sharing this Redis (401 `replayed`); 503
   * when Redis cannot answer. `new Receiver({ replayProtection: true })` does it per process.
   */
  replayGuard?: RedisReplayGuard
  /** Where rejections are logged (`warn`); `null` for nowhere. Default `console`. */
  logger?: { warn(message: string): void; error?(message: string): void } | null
}

/** A verified delivery. */
export interface Delivery {
  claims: Claims
  /** The exact body bytes QStash signed. */
  body: Buffer
  messageId: string | null
  retried: number | null
  region: string | null
  scheduleId: string | null
  topicName: string | null
}

export interface ExpressOptions extends HelperOptions {
  /** How `req.body` is set after verification: by content type (default), or always one kind. */
  parse?: 'auto' | 'json' | 'text' | 'raw'
}

type Next = (error?: unknown) => void

/** Express middleware; sets `req.qstash` and `req.body` for the next handler. */
export declare function qstashVerified(options?: ExpressOptions): (req: any, res: any, next: Next) => void

declare global {
  namespace Express {
    interface Request {
      /** Set by `qstashVerified` on verified deliveries. */
      qstash?: import('./express').Delivery
    }
  }
}
