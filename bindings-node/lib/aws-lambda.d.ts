// AWS Lambda: the event shapes as AWS documents them (the fields the helper reads, and the
// ones handlers use most), and `withQStash` for `(event, context)` handlers.
import type { Delivery as CoreDelivery, Gate, HelperOptions } from './core'

export type { HelperOptions }

/** A verified delivery, its body a `Buffer`. */
export type Delivery = CoreDelivery<Buffer>

type Headers = Record<string, string | undefined>
type MultiValue = Record<string, string[] | undefined>

/** API Gateway REST API (payload format 1.0). `path` has the stage taken off;
 * `requestContext.path` is the path as called. */
export interface APIGatewayProxyEvent {
  resource?: string
  path: string
  httpMethod: string
  headers: Headers | null
  multiValueHeaders?: MultiValue | null
  queryStringParameters: Headers | null
  multiValueQueryStringParameters?: MultiValue | null
  pathParameters?: Headers | null
  stageVariables?: Headers | null
  requestContext: { stage?: string; path?: string; httpMethod?: string; requestId?: string; [key: string]: unknown }
  body: string | null
  isBase64Encoded: boolean
}

/** API Gateway HTTP API (payload format 2.0) or a Lambda function URL. */
export interface APIGatewayProxyEventV2 {
  version: '2.0'
  routeKey?: string
  rawPath: string
  rawQueryString: string
  cookies?: string[]
  headers: Headers
  queryStringParameters?: Headers
  pathParameters?: Headers | null
  stageVariables?: Headers | null
  requestContext: { domainName?: string; stage?: string; http: { method: string; path?: string; sourceIp?: string }; [key: string]: unknown }
  body?: string
  isBase64Encoded: boolean
}

/** A Lambda function URL: the payload 2.0 shape. */
export type LambdaFunctionURLEvent = APIGatewayProxyEventV2

/** An Application Load Balancer target group (`multiValueHeaders` when it has multi-value
 * headers on). */
export interface ALBEvent {
  requestContext: { elb: { targetGroupArn: string } }
  httpMethod: string
  path: string
  queryStringParameters?: Headers
  multiValueQueryStringParameters?: MultiValue
  headers?: Headers
  multiValueHeaders?: MultiValue
  body: string | null
  isBase64Encoded: boolean
}

/** Any HTTP event the helper reads. */
export type LambdaHttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2 | ALBEvent

/** A proxy response, as every one of those callers takes it. */
export interface LambdaProxyResult {
  statusCode: number
  statusDescription?: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  body: string
  isBase64Encoded?: boolean
}

/** Wraps `handler(event, context, delivery)` so it runs only for verified deliveries; a
 * refusal is answered with the event's proxy response. Throws for an event that is not HTTP. */
export declare function withQStash<E extends LambdaHttpEvent, C = unknown, R = LambdaProxyResult>(
  handler: (event: E, context: C, delivery: Delivery) => R | Promise<R>,
  options?: HelperOptions | Gate,
): (event: E, context: C) => Promise<R | LambdaProxyResult>
