// Serves the v3 API of the engine this process holds to other processes on the local socket.
import type {Server, Socket} from 'node:net'
import {
  encodeError,
  encodeFrame,
  encodeMessage,
  type Frame,
  FrameKind,
  FrameReader,
  type StreamMethod,
  streamMethods,
  type UnaryMethod,
  unaryMethods,
} from '../../api/local_rpc.js'
import type {
  BidiStream,
  EtcdAuthClient,
  EtcdClient,
  EtcdClusterClient,
  EtcdLockElectionClient,
  EtcdMaintenanceClient,
  EtcdWatchLeaseClient,
} from '../../client/etcd/client.js'
import {serverStreamAsBidi} from './server-stream.js'

export type ServedEngine = EtcdClient & EtcdWatchLeaseClient & EtcdAuthClient & EtcdMaintenanceClient & EtcdClusterClient & EtcdLockElectionClient

type Handler = (engine: ServedEngine, request: never) => Promise<unknown>

const unaryHandlers: Record<UnaryMethod, Handler> = {
  Range: (engine, request) => engine.range(request),
  Put: (engine, request) => engine.put(request),
  DeleteRange: (engine, request) => engine.deleteRange(request),
  Txn: (engine, request) => engine.txn(request),
  Compact: (engine, request) => engine.compact(request),
  HashKV: (engine, request) => engine.hashKV(request),
  Status: (engine) => engine.status(),
  LeaseGrant: (engine, request) => engine.leaseGrant(request),
  LeaseRevoke: (engine, request) => engine.leaseRevoke(request),
  LeaseTimeToLive: (engine, request) => engine.leaseTimeToLive(request),
  LeaseLeases: (engine) => engine.leaseLeases(),
  AuthEnable: (engine) => engine.authEnable(),
  AuthDisable: (engine) => engine.authDisable(),
  AuthStatus: (engine) => engine.authStatus(),
  Authenticate: (engine, request) => engine.authenticate(request),
  UserAdd: (engine, request) => engine.userAdd(request),
  UserGet: (engine, request) => engine.userGet(request),
  UserList: (engine) => engine.userList(),
  UserDelete: (engine, request) => engine.userDelete(request),
  UserChangePassword: (engine, request) => engine.userChangePassword(request),
  UserGrantRole: (engine, request) => engine.userGrantRole(request),
  UserRevokeRole: (engine, request) => engine.userRevokeRole(request),
  RoleAdd: (engine, request) => engine.roleAdd(request),
  RoleGet: (engine, request) => engine.roleGet(request),
  RoleList: (engine) => engine.roleList(),
  RoleDelete: (engine, request) => engine.roleDelete(request),
  RoleGrantPermission: (engine, request) => engine.roleGrantPermission(request),
  RoleRevokePermission: (engine, request) => engine.roleRevokePermission(request),
  Alarm: (engine, request) => engine.alarm(request),
  Defragment: (engine) => engine.defragment(),
  Hash: (engine) => engine.hash(),
  MoveLeader: (engine, request) => engine.moveLeader(request),
  MemberList: (engine, request) => engine.memberList(request),
  MemberAdd: (engine, request) => engine.memberAdd(request),
  MemberRemove: (engine, request) => engine.memberRemove(request),
  MemberUpdate: (engine, request) => engine.memberUpdate(request),
  MemberPromote: (engine, request) => engine.memberPromote(request),
  Lock: (engine, request) => engine.lock(request),
  Unlock: (engine, request) => engine.unlock(request),
  Campaign: (engine, request) => engine.campaign(request),
  Proclaim: (engine, request) => engine.proclaim(request),
  Leader: (engine, request) => engine.leader(request),
  Resign: (engine, request) => engine.resign(request),
}

const streamOpeners: Record<StreamMethod, (engine: ServedEngine) => BidiStream<unknown, unknown>> = {
  Watch: (engine) => engine.watch() as BidiStream<unknown, unknown>,
  LeaseKeepAlive: (engine) => engine.leaseKeepAlive() as BidiStream<unknown, unknown>,
  Snapshot: (engine) => serverStreamAsBidi(() => engine.snapshot()),
  Observe: (engine) => serverStreamAsBidi((request) => engine.observe(request as never)),
}

/** How long a leaving holder waits for a client to close its end after the goodbye. */
const leaveGraceMs = 2000

/** Streams one connection may hold open at once. */
const maxStreamsPerConnection = 1024

export interface LocalServer {
  /**
   * Stops serving: refuses new connections (closed before the hello, so their clients try
   * again), answers the calls in flight, ends streams and closes every connection. The socket
   * stays bound: its address is the data dir's lock, kept until `unbind` (after the engine is
   * closed), so no other process opens the engine while this one is still closing it.
   */
  close(): Promise<void>
  /** Frees the address (the lock): another process may hold the data dir from now on. */
  unbind(): Promise<void>
}

/** Attaches to a listening server; calls that arrive before `engine` resolves wait for it. */
export function serveLocal(server: Server, engine: Promise<ServedEngine>): LocalServer {
  const connections = new Set<Connection>()
  let inFlight = 0
  let closing = false
  let drained: (() => void) | undefined
  const calls = {
    get closing() {
      return closing
    },
    started: () => void inFlight++,
    finished: () => {
      inFlight--
      if (inFlight === 0) drained?.()
    },
  }

  server.on('connection', (socket) => {
    if (closing) {
      socket.destroy()
      return
    }
    socket.write(encodeFrame({callId: 0, kind: FrameKind.hello, method: '', payload: new Uint8Array(0)}))
    const connection = new Connection(socket, engine, calls)
    connections.add(connection)
    socket.on('close', () => {
      connections.delete(connection)
      connection.endStreams()
    })
  })

  return {
    async close() {
      closing = true
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
      const left = [...connections].map((connection) => connection.leave())
      await Promise.all(left)
    },
    unbind() {
      closing = true
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

interface CallTracker {
  readonly closing: boolean
  started(): void
  finished(): void
}

class Connection {
  private readonly reader = new FrameReader()
  private readonly streams = new Map<number, BidiStream<unknown, unknown>>()
  /** Requests of streams still opening (the engine may not be ready): sent once they open. */
  private readonly opening = new Map<number, unknown[]>()

  constructor(
    private readonly socket: Socket,
    private readonly engine: Promise<ServedEngine>,
    private readonly calls: CallTracker,
  ) {
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: Buffer) => {
      let frames
      try {
        frames = this.reader.push(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const frame of frames) this.dispatch(frame)
    })
  }

  /** The holder is leaving: end streams without error (clients reopen them), say goodbye. */
  leave(): Promise<void> {
    for (const id of this.streams.keys()) this.write({callId: id, kind: FrameKind.streamEnd, method: '', payload: new Uint8Array(0)})
    this.endStreams()
    if (this.socket.destroyed) return Promise.resolve()
    const gone = new Promise<void>((resolve) => this.socket.once('close', () => resolve()))
    // a client that never reads its goodbye does not keep the holder from leaving
    setTimeout(() => this.socket.destroy(), leaveGraceMs).unref()
    this.socket.end(encodeFrame({callId: 0, kind: FrameKind.goodbye, method: '', payload: new Uint8Array(0)}))
    return gone
  }

  endStreams(): void {
    for (const stream of this.streams.values()) stream.close()
    this.streams.clear()
  }

  private write(frame: Frame): void {
    if (!this.socket.writable) return
    this.socket.write(encodeFrame(frame))
  }

  private dispatch(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.request:
        return this.unary(frame)
      case FrameKind.streamOpen:
        return void this.openStream(frame)
      case FrameKind.streamMessage: {
        const stream = this.streams.get(frame.callId)
        const method = streamMethods[frame.method as StreamMethod]
        if (!method) return
        const request = method.request.decode(frame.payload)
        if (stream) stream.send(request as never)
        else this.opening.get(frame.callId)?.push(request)
        return
      }
      case FrameKind.streamEnd: {
        this.opening.delete(frame.callId)
        this.streams.get(frame.callId)?.close()
        this.streams.delete(frame.callId)
        return
      }
    }
  }

  private unary(frame: Frame): void {
    const method = unaryMethods[frame.method as UnaryMethod]
    if (!method) return void this.socket.write(encodeError(frame.callId, new Error(`unknown method ${frame.method}`)))
    if (this.calls.closing) return this.write({callId: frame.callId, kind: FrameKind.notApplied, method: frame.method, payload: new Uint8Array(0)})
    this.calls.started()
    void (async () => {
      try {
        const request = method.request.decode(frame.payload)
        const response = await unaryHandlers[frame.method as UnaryMethod](await this.engine, request as never)
        this.write({callId: frame.callId, kind: FrameKind.response, method: frame.method, payload: encodeMessage(method.response, response)})
      } catch (error) {
        if (this.socket.writable) this.socket.write(encodeError(frame.callId, error))
      } finally {
        this.calls.finished()
      }
    })()
  }

  private async openStream(frame: Frame): Promise<void> {
    const method = streamMethods[frame.method as StreamMethod]
    const id = frame.callId
    const refuse = (error: unknown) => this.socket.writable && this.socket.write(encodeStreamEnd(id, error))
    if (!method || this.streams.has(id) || this.opening.has(id)) return void refuse(new Error(`cannot open stream ${frame.method} #${id}`))
    if (this.streams.size >= maxStreamsPerConnection) return void refuse(new Error('too many streams on one connection'))
    if (this.calls.closing) return this.write({callId: id, kind: FrameKind.streamEnd, method: '', payload: new Uint8Array(0)})
    const early: unknown[] = []
    this.opening.set(id, early)
    let stream: BidiStream<unknown, unknown>
    try {
      stream = streamOpeners[frame.method as StreamMethod](await this.engine)
    } catch (error) {
      this.opening.delete(id)
      return void refuse(error)
    }
    if (!this.opening.delete(id)) return stream.close() // ended by the client while opening
    this.streams.set(id, stream)
    for (const request of early) stream.send(request as never)
    try {
      for await (const response of stream) {
        this.write({callId: id, kind: FrameKind.streamMessage, method: frame.method, payload: encodeMessage(method.response, response)})
      }
      if (this.streams.delete(id)) this.write({callId: id, kind: FrameKind.streamEnd, method: '', payload: new Uint8Array(0)})
    } catch (error) {
      if (this.streams.delete(id)) refuse(error)
    }
  }
}

/** A stream end carrying an error (code and message, as an error frame's payload). */
function encodeStreamEnd(id: number, error: unknown): Buffer {
  const errorFrame = encodeError(id, error)
  errorFrame.writeUInt8(FrameKind.streamEnd, 8)
  return errorFrame
}
