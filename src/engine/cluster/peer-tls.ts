// Peer TLS, as etcd's --peer-cert-file, --peer-key-file, --peer-trusted-ca-file,
// --peer-client-cert-auth, --peer-auto-tls, --peer-cert-allowed-cn and --peer-crl-file: a peer
// URL with https:// is served and dialled over TLS with this member's certificate. A member
// checks the certificate of every peer it dials against the trusted CA; with client cert auth
// it also asks every peer that dials it for a certificate the CA signed, and refuses the
// connection otherwise. Self-signed (auto TLS) certificates are not checked, as etcd does not
// check them. With an allowed CN, a peer's certificate must carry that common name, both ways
// (etcd sets the check on its client and server TLS configs alike), and a peer that dials is
// asked for a certificate; with a CRL, a peer that dials with a certificate the list revokes
// is refused (peer-crl.ts).
//
// A refused handshake is logged once per peer address and reason in a while, not on every
// reconnect (a refused peer tries again ten times a second).
import {connect, createServer, type Server, type Socket} from 'node:net'
import {connect as tlsConnect, createServer as createTlsServer, type PeerCertificate, type TLSSocket} from 'node:tls'
import {certSerialHex, PeerCrl} from './peer-crl.js'

export interface PeerTls {
  /** PEM: this member's certificate (served, and shown to the peers it dials). */
  cert: Buffer
  key: Buffer
  /** PEM: the CA a peer's certificate must chain to (undefined: the system's roots). */
  ca?: Buffer
  /** A peer that dials must show a certificate the CA signed. */
  clientCertAuth: boolean
  /** Self-signed certificates (--peer-auto-tls): a peer's certificate is not verified. */
  skipVerify: boolean
  /** --peer-cert-allowed-cn: the common name every peer's certificate must have. */
  allowedCn?: string
  /** --peer-crl-file: a peer that dials with a certificate this list revokes is refused. */
  crlFile?: string
}

/** Go's Subject.CommonName: the (last) CN of a certificate's subject. */
function commonName(cert: PeerCertificate): string | undefined {
  const cn = cert.subject?.CN as string | string[] | undefined
  return Array.isArray(cn) ? cn.at(-1) : cn
}

/** etcd's refusal of a certificate without the allowed CN (its words, then ours on why). */
function cnRefusal(cert: PeerCertificate, allowedCn: string): string | undefined {
  const cn = commonName(cert)
  return cn === allowedCn ? undefined : `client certificate authentication failed (CN ${JSON.stringify(cn ?? '')} is not the allowed ${JSON.stringify(allowedCn)})`
}

export interface PeerAddress {
  host: string
  port: number
  /** An https:// peer URL. */
  tls?: boolean
}

/** How often the same refusal is logged at most. */
const refusalLogEveryMs = 10_000
const maxRememberedRefusals = 256

/**
 * Opens a connection to a peer; `onOpen` runs once it can carry frames (after the TLS
 * handshake on https://). A handshake that fails (a certificate refused either way) ends in
 * the socket's 'error' event, as a refused connection does.
 */
export function dialPeer(address: PeerAddress, tls: PeerTls | undefined, onOpen: () => void): Socket {
  if (!address.tls) {
    const socket = connect({host: address.host, port: address.port, noDelay: true})
    socket.once('connect', onOpen)
    return socket
  }
  // without a certificate of its own (a member on http:// dialling an https:// peer) it still
  // checks the peer's against the system's roots
  const socket: TLSSocket = tlsConnect({
    host: address.host,
    port: address.port,
    cert: tls?.cert,
    key: tls?.key,
    ca: tls?.ca,
    rejectUnauthorized: !(tls?.skipVerify ?? false),
  })
  socket.setNoDelay(true)
  socket.once('secureConnect', () => {
    // the peer answering must have the allowed CN too, as etcd's client config checks it
    const refusal = tls?.allowedCn === undefined ? undefined : cnRefusal(socket.getPeerCertificate(), tls.allowedCn)
    if (refusal !== undefined) {
      socket.destroy(Object.assign(new Error(`x509: peer certificate refused: ${refusal}`), {code: 'ERR_TLS_PEER_CN'}))
      return
    }
    onOpen()
  })
  return socket
}

/** A listener for peers: TLS when `listenTls`, handing each connection (handshake done) to `accept`. */
export function peerServer(listenTls: boolean | undefined, tls: PeerTls | undefined, accept: (socket: Socket) => void, log: (line: string) => void): Server {
  if (!listenTls) return createServer({noDelay: true}, accept)
  if (tls === undefined) throw new Error('the peer URL is https:// but this member has no peer TLS certificate')
  const refusals = new RefusalLog(log)
  const refuse = (socket: TLSSocket, reason: string) => {
    refusals.note(`rejected peer connection from "${socket.remoteAddress}:${socket.remotePort}" (error "${reason}")`, `in ${socket.remoteAddress} ${reason}`)
    socket.destroy()
  }
  const crl = tls.crlFile === undefined ? undefined : new PeerCrl(tls.crlFile)
  const requestCert = tls.clientCertAuth || tls.allowedCn !== undefined || crl !== undefined
  // The peer's certificate is checked here rather than by rejectUnauthorized, which closes the
  // connection without saying why or from where.
  const server = createTlsServer({cert: tls.cert, key: tls.key, ca: tls.ca, requestCert, rejectUnauthorized: false}, (socket) => {
    const cert = socket.getPeerCertificate(true)
    const shown = Object.keys(cert).length > 0
    // self-signed peers (auto TLS) are not verified, as etcd does not verify them
    const verified = socket.authorized || tls.skipVerify
    if ((tls.clientCertAuth || tls.allowedCn !== undefined) && !verified) {
      refuse(socket, shown ? describeVerifyError(socket.authorizationError) : 'no client certificate')
      return
    }
    const cnProblem = tls.allowedCn === undefined ? undefined : cnRefusal(cert, tls.allowedCn)
    if (cnProblem !== undefined) {
      refuse(socket, cnProblem)
      return
    }
    if (crl === undefined || !shown) {
      accept(socket)
      return
    }
    crl.refusal(sentChain(cert)).then(
      (revoked) => (revoked === undefined ? accept(socket) : refuse(socket, revoked)),
      (error: Error) => refuse(socket, error.message),
    )
  })
  server.on('connection', (socket: Socket) => socket.setNoDelay(true))
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    const from = socket.remoteAddress === undefined ? '' : ` from "${socket.remoteAddress}:${socket.remotePort}"`
    refusals.note(`rejected peer connection${from} (error "${error.message}")`, `in ${socket.remoteAddress} ${error.message}`)
  })
  return server
}

/** The serials of a peer's certificate and its issuers, without the self-signed root (which a peer does not send). */
function sentChain(leaf: PeerCertificate & {issuerCertificate?: PeerCertificate}): string[] {
  const serials: string[] = []
  for (let cert: (PeerCertificate & {issuerCertificate?: PeerCertificate}) | undefined = leaf; cert !== undefined; cert = cert.issuerCertificate) {
    const selfSigned = cert.issuerCertificate === cert || cert.issuerCertificate === undefined
    if (selfSigned && cert !== leaf) break
    serials.push(certSerialHex(cert.serialNumber))
    if (selfSigned || serials.length > 16) break
  }
  return serials
}

/** OpenSSL's verification codes in words (Go's, as etcd logs them, where there is one). */
function describeVerifyError(code: string | Error | null | undefined): string {
  const text = code instanceof Error ? code.message : (code ?? 'unverified')
  switch (text) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `tls: failed to verify client certificate: x509: certificate signed by unknown authority (${text})`
    case 'CERT_HAS_EXPIRED':
      return `tls: failed to verify client certificate: x509: certificate has expired or is not yet valid (${text})`
    default:
      return `tls: failed to verify client certificate: ${text}`
  }
}

/** Logs a refusal unless the same one was logged within refusalLogEveryMs. */
export class RefusalLog {
  private readonly last = new Map<string, number>()

  constructor(private readonly log: (line: string) => void) {}

  /** `key` names the refusal without what changes on every attempt (the source port). */
  note(line: string, key: string): void {
    const now = performance.now()
    const at = this.last.get(key)
    if (at !== undefined && now - at < refusalLogEveryMs) return
    if (this.last.size >= maxRememberedRefusals) this.last.clear()
    this.last.set(key, now)
    this.log(`ectl server: ${line}`)
  }
}

/** Errors of a dialled peer connection worth a log line: TLS refusals, not a peer that is down. */
export function isTlsFailure(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? ''
  return code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|self[- ]signed|ssl|tls/i.test(`${code} ${error.message}`)
}
