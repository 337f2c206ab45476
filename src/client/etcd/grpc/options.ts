// How the gRPC client connects: etcdctl's global flags, as values (the CLI parses them).
export interface TlsOptions {
  /** PEM bundle of the CAs that sign the servers' certificates (--cacert); default: the system's. */
  ca?: Buffer
  /** PEM client certificate and key (--cert, --key). */
  cert?: Buffer
  key?: Buffer
  /** --insecure-skip-tls-verify: accept any server certificate. */
  skipVerify?: boolean
}

export interface GrpcClientOptions {
  /** `host:port`, `http://host:port` or `https://host:port`, tried in order. */
  endpoints: readonly string[]
  /** How long one endpoint may take to connect before the next is tried (--dial-timeout). */
  dialTimeoutMs?: number
  /** The deadline of each unary call, failover included (--command-timeout). */
  commandTimeoutMs?: number
  /** gRPC keepalive pings (--keepalive-time, --keepalive-timeout). */
  keepaliveTimeMs?: number
  keepaliveTimeoutMs?: number
  /** TLS for endpoints without a scheme, and its settings for https:// ones; undefined: plain. */
  tls?: TlsOptions
  /** --user / --password: authenticate once, send the token with every call. */
  user?: {name: string; password: string}
}

export const defaults = {
  dialTimeoutMs: 2_000,
  commandTimeoutMs: 5_000,
  keepaliveTimeMs: 2_000,
  keepaliveTimeoutMs: 6_000,
} as const
