// How a Kubernetes client reaches an API server: one request/response contract for both
// transports. The HTTP transport speaks it over HTTPS (kubeconfig, TLS, tokens); the in-process
// transport hands it straight to an API server living in this process (a KubeHandler), so kctl,
// the controllers and the tests run the same code either way.

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface KubeRequest {
  method: KubeMethod
  /** The URL path, e.g. `/api/v1/namespaces/default/pods/web`. */
  path: string
  /** Query parameters (`labelSelector`, `watch`, `resourceVersion`, `dryRun`, …). */
  query?: Record<string, string | string[]>
  /** Lower-case header names: `content-type`, `accept`, `authorization`. */
  headers?: Record<string, string>
  body?: Uint8Array
}

/** A whole response (every request but watch and streaming logs). */
export interface KubeResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

/**
 * A streamed response: watch events as newline-delimited JSON, or a log. `close()` ends it from
 * the client side; the body then finishes.
 */
export interface KubeStreamResponse {
  status: number
  headers: Record<string, string>
  body: AsyncIterable<Uint8Array>
  close(): void
}

export interface KubeTransport {
  request(req: KubeRequest): Promise<KubeResponse>
  stream(req: KubeRequest): Promise<KubeStreamResponse>
  close(): Promise<void>
}

/**
 * What an in-process API server offers its in-process transport. The caller is who the request
 * is made as (the in-process transport acts as the cluster admin unless told otherwise).
 */
export interface KubeHandler {
  handle(req: KubeRequest, caller?: {user: string; groups: string[]}): Promise<KubeStreamResponse>
}
