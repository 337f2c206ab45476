// The entry point of the Kubernetes API server.
//
//   const api = createApiServer({etcd})      // etcd: EtcdClient & EtcdWatchLeaseClient
//   await api.start()                        // watch cache, CRDs, built-in namespaces
//   const res = await api.handle({method: 'GET', path: '/api/v1/namespaces/default/pods',
//                                 query: {labelSelector: 'app=web'}, headers: {accept: 'application/json'}})
//   // res: {status, headers, body: AsyncIterable<Uint8Array>, close()}. A watch
//   // (query watch=true) streams newline-delimited JSON events until close() or its timeout.
//   const serving = await serveHttps(api, {port: 6443, host: '0.0.0.0', tls: {key, cert, ca},
//                                          authenticateToken})
//   ...; await serving.close(); await api.close()
//
// - handle(req, caller) never touches Node HTTP objects: the in-process transport calls it
//   directly. `caller` ({user, groups}) is who the request is made as; without one it is
//   system:admin in system:masters. With an `authorizer` (new RbacAuthorizer()) every request
//   is checked; without one everything is allowed.
// - Storage is only the EtcdClient: objects as JSON at /registry/<resource>/<ns>/<name>,
//   resourceVersion = etcd mod revision. Any number of servers may share one store.
// - Requests and responses are JSON (and YAML bodies for create/apply). `Accept:
//   application/json;as=Table;v=v1;g=meta.k8s.io` gets server-side printed tables.
// - serveHttps: with tls.ca, client certificates signed by it authenticate as CN = user,
//   O = groups; bearer tokens go through authenticateToken (see tokens.ts for the static token
//   file), then service account tokens the server issued (`kubectl create token`,
//   POST .../serviceaccounts/<sa>/token); without tls it serves plain HTTP (tests, local tools).
import type {EtcdClient, EtcdWatchLeaseClient} from '../../../client/etcd/client.js'
import type {KubeHandler} from '../../../client/kube/transport.js'
import type {Authorizer, Caller} from './authz.js'
import {ApiServer} from './server.js'

export {serveHttps, type ServeOptions, type Serving, type TlsFiles} from './https.js'
export type {Caller, Authorizer} from './authz.js'
export {ApiServer} from './server.js'
export {RbacAuthorizer, bootstrapPolicy} from './rbac.js'
export {parseTokenFile, tokenAuthenticator, TokenFileError} from './tokens.js'

export interface CreateApiServerOptions {
  etcd: EtcdClient & EtcdWatchLeaseClient
  /** host:port clients reach the server at (reported by /api discovery). */
  serverAddress?: string
  authorizer?: Authorizer
  /** Longest watch when the client names no timeoutSeconds. */
  watchTimeoutMs?: number
  /** How often watches that allow bookmarks get one. */
  bookmarkIntervalMs?: number
  /** PEM of the service account token signing key; generated at start when absent. */
  serviceAccountKey?: string | Buffer
  /** How often etcd history is compacted (kube-apiserver's --etcd-compaction-interval, 5m). */
  compactIntervalMs?: number
}

export type RunningApiServer = KubeHandler & {
  start(): Promise<void>
  close(): Promise<void>
  /** Service account tokens this server issued (serveHttps asks it after authenticateToken). */
  authenticateToken(token: string): Promise<Caller | undefined>
  server: ApiServer
}

export function createApiServer(opts: CreateApiServerOptions): RunningApiServer {
  const server = new ApiServer(opts)
  return {
    server,
    handle: (req, caller) => server.handle(req, caller),
    authenticateToken: (token) => server.authenticateToken(token),
    start: () => server.start(),
    close: () => server.close(),
  }
}
