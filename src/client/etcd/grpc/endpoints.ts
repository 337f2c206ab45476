// Endpoints as etcdctl takes them: `host:port`, `http://host:port` or `https://host:port`
// (`unix://` is not supported). A scheme decides the transport; a bare address follows the TLS
// settings (TLS when a CA, a client certificate or --insecure-transport=false is given).
import {EtcdError, GrpcCode} from '../../../api/errors.js'

export interface Endpoint {
  /** `host:port`, what gRPC dials. */
  address: string
  /** true: https://, false: http://, undefined: no scheme (the TLS settings decide). */
  secure?: boolean
}

/** A comma list can hold many endpoints, but not without end. */
export const maxEndpoints = 64

export function parseEndpoint(text: string): Endpoint {
  const m = /^(?:(https?):\/\/)?([^/\s]+?)\/?$/.exec(text.trim())
  if (m === null) throw new EtcdError(GrpcCode.INVALID_ARGUMENT, `invalid endpoint ${JSON.stringify(text)}: want host:port, http://host:port or https://host:port`)
  const [, scheme, hostPort] = m as unknown as [string, string | undefined, string]
  const address = /:\d+$/.test(hostPort) ? hostPort : `${hostPort}:${scheme === 'https' ? 443 : 80}`
  return scheme === undefined ? {address} : {address, secure: scheme === 'https'}
}

export function parseEndpoints(list: readonly string[]): Endpoint[] {
  const endpoints = list.map((e) => e.trim()).filter((e) => e !== '').map(parseEndpoint)
  if (endpoints.length === 0) throw new EtcdError(GrpcCode.INVALID_ARGUMENT, 'no endpoints given')
  if (endpoints.length > maxEndpoints) throw new EtcdError(GrpcCode.INVALID_ARGUMENT, `too many endpoints (${endpoints.length}; at most ${maxEndpoints})`)
  return endpoints
}
