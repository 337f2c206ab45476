// The peer transport: Raft messages between members over one TCP stream per direction and
// peer, on the --listen-peer-urls port.
//
// A stream opens with a hello frame (JSON: cluster id, sender id, receiver id, and the kind of
// stream: messages unless it says 'snapshot'); a stream from another cluster or for another
// member is closed at once, and one from a member removed from the cluster is answered with a
// `removed` frame first, which stops that member (as etcd's peer handler answers such a member
// 410 Gone). On a message stream every later frame is one encoded raft Message
// (raft/codec.ts); a snapshot stream is handed whole to the snapshot receiver
// (snapshot-stream.ts), one connection per snapshot. A hello `{"query":"members"}` instead asks
// for the cluster id and member list (etcd's peer /members, which a member joining a running
// cluster reads first): one JSON frame answers it and the stream ends.
//
// The peers change with the membership: setPeer and removePeer as the configuration is
// applied. Messages of one Ready go out framed in one buffer, as one write. Messages that
// nobody waits for (a leader's commit index, when only its own callers wait on the entries)
// may be held: they leave with the next messages to the same peer, in order, or after
// holdMs at most (see hold). A link
// that is down drops what it is asked to send and tells raft the peer is unreachable (raft
// retransmits what matters: it probes the follower again), handing back the messages it never
// wrote (a follower parks the proposals among them until there is a leader); it reconnects on the next send,
// at most once per reconnectDelayMs. Everything is bounded: a link's unsent bytes, and the
// size of a frame a reader accepts.
import type {Server, Socket} from 'node:net'
import {decodeMessage, encodeMessage, type Message, type NodeId} from '../raft/index.js'
import {FrameReader, frame, frames} from './frames.js'
import {dialPeer, isTlsFailure, type PeerAddress, type PeerTls, peerServer, RefusalLog} from './peer-tls.js'

export interface PeerTransportOptions {
  selfId: NodeId
  clusterId: bigint
  /** Where this member listens for its peers (from --listen-peer-urls; tls: https://). */
  listen: PeerAddress
  /** Each peer's id and the address it listens on (its first peer URL). */
  peers: Map<NodeId, PeerAddress>
  /** This member's peer certificate, for https:// peer URLs (peer-tls.ts). */
  tls?: PeerTls
  /** Messages from peers, in the order they arrived on each stream. */
  deliver(messages: Message[]): void
  /**
   * Messages to `id` were dropped because its link is down or full; `unsent` were never
   * written to a connection (the peer cannot have them, so sending them again duplicates nothing).
   */
  unreachable(id: NodeId, unsent: Message[]): void
  /**
   * A peer opened a snapshot stream: `reader` holds what was read past the hello, `pending`
   * the frames it already cut. The callee owns the socket from here.
   */
  snapshotStream(from: NodeId, socket: Socket, reader: FrameReader, pending: Buffer[]): void
  log(line: string): void
  /** Whether `id` was removed from the cluster (its streams are refused). */
  isRemoved?(id: NodeId): boolean
  /** A peer told this member it was removed from the cluster. */
  removedFromCluster?(): void
  /** The answer to a members query (cluster-info.ts). */
  clusterInfo?(): unknown
}

/** A frame above this is refused (a message carries at most raft's maxSizePerMsg of entries, 1 MiB by default). */
const maxFrameBytes = 64 * 1024 * 1024
/** Unsent bytes a link holds at most; past it, messages are dropped (raft resends). */
const maxLinkBufferBytes = 64 * 1024 * 1024
const reconnectDelayMs = 100
/** Messages held while a stream opens. */
const maxPendingFrames = 1024
const connectTimeoutMs = 1000
/** A stream the peer closes this soon after it opened was most likely refused. */
const shortLivedStreamMs = 1000

interface Hello {
  cluster: string
  from: string
  to: string
  stream?: 'snapshot'
  query?: 'members'
}

/** What a member removed from the cluster is told when it opens a stream. */
const removedReply = {removed: true}

class PeerLink {
  private socket: Socket | undefined
  private connected = false
  private lastAttemptMs = -Infinity
  private closed = false
  /** Messages given while the stream is being opened, sent once it is (bounded by maxPendingFrames). */
  private pending: Message[] = []
  /** Messages held for the next send (hold), and the timer that sends them if none comes. */
  private held: Message[] = []
  private holdTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly to: NodeId,
    private readonly address: PeerAddress,
    private readonly hello: Buffer,
    private readonly options: PeerTransportOptions,
    private readonly refusals: RefusalLog,
  ) {}

  /** Sends `messages` with the next send to this peer, or in `holdMs` if none comes first. */
  hold(messages: Message[], holdMs: number): void {
    if (this.closed) return
    for (const m of messages) this.held.push(m)
    if (this.holdTimer === undefined) {
      this.holdTimer = setTimeout(this.sendHeld, holdMs)
      this.holdTimer.unref()
    }
  }

  private readonly sendHeld = () => this.send([])

  send(messages: Message[]): void {
    if (this.closed) return
    if (this.held.length > 0) {
      // held messages came first: they go first, in the same write
      clearTimeout(this.holdTimer)
      messages = this.held.concat(messages)
      this.held = []
    }
    this.holdTimer = undefined
    if (messages.length === 0) return
    if (!this.connected) {
      this.connect()
      if (this.socket === undefined || this.pending.length + messages.length > maxPendingFrames) {
        this.options.unreachable(this.to, messages)
        return
      }
      this.pending.push(...messages)
      return
    }
    const socket = this.socket!
    if (socket.writableLength > maxLinkBufferBytes) {
      this.options.unreachable(this.to, messages)
      return
    }
    socket.write(frames(messages.map(encodeMessage)))
  }

  private connect(): void {
    const now = performance.now()
    if (this.socket !== undefined || now - this.lastAttemptMs < reconnectDelayMs) return
    this.lastAttemptMs = now
    let openedAtMs = -Infinity
    const socket = dialPeer(this.address, this.options.tls, () => {
      openedAtMs = performance.now()
      socket.setTimeout(0)
      socket.cork()
      socket.write(this.hello)
      const pending = this.pending.splice(0)
      if (pending.length > 0) socket.write(frames(pending.map(encodeMessage)))
      socket.uncork()
      this.connected = true
    })
    this.socket = socket
    socket.setTimeout(connectTimeoutMs, () => socket.destroy(new Error('connect timed out')))
    // A peer answers on this stream only to say this member was removed from the cluster.
    const replies = new FrameReader(1024)
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = replies.push(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const reply of frames) {
        if (isRemovedReply(reply)) this.options.removedFromCluster?.()
      }
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (isTlsFailure(error)) {
        const peer = `${this.address.host}:${this.address.port}`
        this.refusals.note(`peer ${this.to.toString(16)} at ${peer} refused over TLS: ${error.message}`, `out ${peer} ${error.message}`)
      }
    })
    socket.once('close', (hadError: boolean) => {
      // a TLS peer that does not accept our certificate closes the stream as soon as it opens
      if (this.address.tls === true && !hadError && !this.closed && performance.now() - openedAtMs < shortLivedStreamMs) {
        const peer = `${this.address.host}:${this.address.port}`
        this.refusals.note(`peer ${this.to.toString(16)} at ${peer} closed the peer stream right after the TLS handshake (does it trust this member's certificate?)`, `closed ${peer}`)
      }
      if (this.socket === socket) {
        this.socket = undefined
        this.connected = false
        // the stream never opened: what waited for it was not sent
        const unsent = this.pending.splice(0)
        if (unsent.length > 0 && !this.closed) this.options.unreachable(this.to, unsent)
      }
    })
  }

  close(): void {
    this.closed = true
    clearTimeout(this.holdTimer)
    this.socket?.destroy()
  }
}

function isRemovedReply(payload: Buffer): boolean {
  try {
    return (JSON.parse(payload.toString('utf8')) as typeof removedReply).removed === true
  } catch {
    return false
  }
}

export class PeerTransport {
  private readonly links = new Map<NodeId, PeerLink>()
  /** Each peer's address (its first peer URL), as the membership last set it. */
  private readonly addresses = new Map<NodeId, PeerAddress>()
  /** Refusals over TLS, logged once per reason in a while (peer-tls.ts). */
  private readonly refusals: RefusalLog
  private readonly inbound = new Set<Socket>()
  /** Snapshot streams this member opened (closed with the transport). */
  private readonly outbound = new Set<Socket>()
  private server: Server | undefined
  private closed = false

  constructor(private readonly options: PeerTransportOptions) {
    this.refusals = new RefusalLog(options.log)
    for (const [id, address] of options.peers) this.setPeer(id, address)
  }

  /** Adds a peer, or moves it to a new address (its stream reopens there). */
  setPeer(id: NodeId, address: PeerAddress): void {
    if (id === this.options.selfId || this.closed) return
    const known = this.addresses.get(id)
    if (known !== undefined && known.host === address.host && known.port === address.port && known.tls === address.tls) return
    this.links.get(id)?.close()
    const hello: Hello = {cluster: this.options.clusterId.toString(16), from: this.options.selfId.toString(16), to: id.toString(16)}
    this.links.set(id, new PeerLink(id, address, frame(Buffer.from(JSON.stringify(hello))), this.options, this.refusals))
    this.addresses.set(id, {...address})
  }

  /** The peers this member sends to. */
  peerIds(): NodeId[] {
    return [...this.links.keys()]
  }

  /** Stops sending to a peer (removed from the cluster). */
  removePeer(id: NodeId): void {
    this.links.get(id)?.close()
    this.links.delete(id)
    this.addresses.delete(id)
  }

  /** Listens for peers; resolves with the bound port. */
  async start(): Promise<number> {
    const server = peerServer(this.options.listen.tls, this.options.tls, (socket) => this.accept(socket), this.options.log)
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.removeListener('error', reject)
        resolve()
      })
    })
    const address = server.address()
    return typeof address === 'object' && address !== null ? address.port : this.options.listen.port
  }

  /** Sends each message on its receiver's link (messages to unknown ids are dropped). */
  send(messages: Message[]): void {
    const byPeer = new Map<NodeId, Message[]>()
    for (const m of messages) {
      const list = byPeer.get(m.to)
      if (list === undefined) byPeer.set(m.to, [m])
      else list.push(m)
    }
    for (const [to, list] of byPeer) this.links.get(to)?.send(list)
  }

  /**
   * Holds messages nobody waits for (link.hold): each leaves with the next messages sent to its
   * receiver, or after `holdMs`. A sequential client's next put so carries the commit index of
   * its last one to the followers, and the followers answer both in one turn, instead of being
   * woken (and answering) once more per put: on few cores those wake-ups compete with the puts.
   */
  hold(messages: Message[], holdMs: number): void {
    for (const m of messages) this.links.get(m.to)?.hold([m], holdMs)
  }

  private accept(socket: Socket): void {
    this.inbound.add(socket)
    socket.once('close', () => this.inbound.delete(socket))
    socket.on('error', () => undefined)
    const reader = new FrameReader(maxFrameBytes)
    let greeted = false
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = reader.push(chunk)
      } catch (error) {
        this.options.log(`peer stream from ${socket.remoteAddress}:${socket.remotePort} refused: ${(error as Error).message}`)
        socket.destroy()
        return
      }
      const messages: Message[] = []
      for (let i = 0; i < frames.length; i++) {
        const payload = frames[i]!
        if (!greeted) {
          const hello = this.acceptHello(payload, socket)
          if (hello === undefined) return
          greeted = true
          if (hello.stream === 'snapshot') {
            socket.removeAllListeners('data')
            this.inbound.delete(socket)
            this.options.snapshotStream(BigInt(`0x${hello.from}`), socket, reader, frames.slice(i + 1))
            return
          }
          continue
        }
        try {
          messages.push(decodeMessage(payload))
        } catch (error) {
          this.options.log(`peer stream from ${socket.remoteAddress}:${socket.remotePort}: bad message: ${(error as Error).message}`)
          socket.destroy()
          return
        }
      }
      if (messages.length > 0) this.options.deliver(messages)
    })
  }

  private acceptHello(payload: Buffer, socket: Socket): Hello | undefined {
    let hello: Hello
    try {
      hello = JSON.parse(payload.toString('utf8')) as Hello
    } catch {
      socket.destroy()
      return undefined
    }
    if (hello.query === 'members') {
      socket.end(frame(Buffer.from(JSON.stringify(this.options.clusterInfo?.() ?? {}))))
      return undefined
    }
    const cluster = this.options.clusterId.toString(16)
    if (hello.cluster === cluster && /^[0-9a-f]{1,16}$/.test(hello.from) && this.options.isRemoved?.(BigInt(`0x${hello.from}`)) === true) {
      this.options.log(`refused a peer stream from member ${hello.from}: it was removed from the cluster`)
      socket.end(frame(Buffer.from(JSON.stringify(removedReply))))
      return undefined
    }
    if (hello.cluster !== cluster || hello.to !== this.options.selfId.toString(16)) {
      this.options.log(`refused a peer stream from member ${hello.from} of cluster ${hello.cluster} (this is member ${this.options.selfId.toString(16)} of cluster ${cluster})`)
      socket.destroy()
      return undefined
    }
    return hello
  }

  /**
   * Opens a snapshot stream to `to` (a connection of its own, greeted): resolves once
   * connected. The caller owns and closes it.
   */
  openSnapshotStream(to: NodeId): Promise<Socket> {
    const address = this.addresses.get(to)
    if (address === undefined) return Promise.reject(new Error(`member ${to.toString(16)} has no peer address`))
    const hello: Hello = {cluster: this.options.clusterId.toString(16), from: this.options.selfId.toString(16), to: to.toString(16), stream: 'snapshot'}
    return new Promise<Socket>((resolve, reject) => {
      const socket = dialPeer(address, this.options.tls, () => {
        socket.setTimeout(0)
        socket.removeListener('error', reject)
        socket.on('error', () => undefined)
        this.outbound.add(socket)
        socket.once('close', () => this.outbound.delete(socket))
        socket.write(frame(Buffer.from(JSON.stringify(hello))))
        resolve(socket)
      })
      socket.setTimeout(connectTimeoutMs, () => socket.destroy(new Error('connect timed out')))
      socket.once('error', reject)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const link of this.links.values()) link.close()
    for (const socket of this.inbound) socket.destroy()
    for (const socket of this.outbound) socket.destroy()
    const server = this.server
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
