import type { FetchDelivery, HelperOptions } from '../lib/fetch'

/** The official helpers' config, plus qstash-verify's options (URL policy, body limit, logger). */
export interface VerifySignatureConfig extends HelperOptions {
  currentSigningKey?: string
  nextSigningKey?: string
  /** Seconds of clock difference accepted on `exp` / `nbf`. */
  clockTolerance?: number
  /** The public local-development keys (QStash CLI dev server). */
  devMode?: boolean
}

export type { FetchDelivery }
