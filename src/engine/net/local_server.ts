// Serves the v3 API of the engine this process holds to other processes on the local socket.
import type {Server, Socket} from 'node:net'
import {encodeError, encodeFrame, FrameKind, FrameReader, type UnaryMethod, unaryMethods} from '../../api/local_rpc.js'
import type {EtcdClient} from '../../client/etcd/client.js'

type Handler = (client: EtcdClient, request: never) => Promise<unknown>

const handlers: Record<UnaryMethod, Handler> = {
  Range: (client, request) => client.range(request),
  Put: (client, request) => client.put(request),
  DeleteRange: (client, request) => client.deleteRange(request),
  Txn: (client, request) => client.txn(request),
  Compact: (client, request) => client.compact(request),
  HashKV: (client, request) => client.hashKV(request),
  Status: (client) => client.status(),
}

export interface LocalServer {
  /** Stops accepting, answers the calls in flight, then closes every connection. */
  close(): Promise<void>
}

/** Attaches to a listening server; calls that arrive before `engine` resolves wait for it. */
export function serveLocal(server: Server, engine: Promise<EtcdClient>): LocalServer {
  const sockets = new Set<Socket>()
  let inFlight = 0
  let closing = false
  let drained: (() => void) | undefined

  const finishCall = () => {
    inFlight--
    if (inFlight === 0) drained?.()
  }

  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const reader = new FrameReader()
    socket.on('data', (chunk: Buffer) => {
      let frames
      try {
        frames = reader.push(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const frame of frames) {
        if (frame.kind !== FrameKind.request) continue
        const method = unaryMethods[frame.method as UnaryMethod]
        if (!method) {
          socket.write(encodeError(frame.callId, new Error(`unknown method ${frame.method}`)))
          continue
        }
        if (closing) {
          socket.write(encodeFrame({callId: frame.callId, kind: FrameKind.notApplied, method: frame.method, payload: new Uint8Array(0)}))
          continue
        }
        inFlight++
        void (async () => {
          try {
            const request = method.request.decode(frame.payload)
            const response = await handlers[frame.method as UnaryMethod](await engine, request as never)
            const payload = (method.response.encode as (m: unknown) => {finish(): Uint8Array})(response).finish()
            socket.write(encodeFrame({callId: frame.callId, kind: FrameKind.response, method: frame.method, payload}))
          } catch (error) {
            socket.write(encodeError(frame.callId, error))
          } finally {
            finishCall()
          }
        })()
      }
    })
  })

  return {
    async close() {
      closing = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
      // Every call not answered by now was never started: say so, so clients retry elsewhere.
      const goodbye = encodeFrame({callId: 0, kind: FrameKind.goodbye, method: '', payload: new Uint8Array(0)})
      for (const socket of sockets) socket.end(goodbye)
      await closed
    },
  }
}
