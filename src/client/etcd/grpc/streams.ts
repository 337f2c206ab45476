// grpc-js streams as the client interface's streams: a BidiStream for Watch and LeaseKeepAlive,
// an AsyncIterable for Snapshot and Observe. Failures arrive as EtcdErrors; a stream closed by
// this side ends quietly after what was already delivered.
import type {ClientDuplexStream, ClientReadableStream, ServiceError} from '@grpc/grpc-js'
import {AsyncQueue} from '../../../util/async-queue.js'
import type {BidiStream, Req} from '../client.js'
import {fromServiceError} from './errors.js'

/**
 * Responses received and not yet read, beyond which the socket is paused: the server then
 * waits (HTTP/2 flow control) instead of this process buffering without end.
 */
const maxBufferedResponses = 1024

export function bidiStream<Request, Response>(call: ClientDuplexStream<Req<Request>, Response>): BidiStream<Request, Response> {
  const responses = pipe<Response>(call)
  let closed = false
  return {
    send(request) {
      if (!closed) call.write(request)
    },
    close() {
      if (closed) return
      closed = true
      responses.closedHere()
      call.cancel()
    },
    [Symbol.asyncIterator]: () => responses.iterate(),
  }
}

export function serverStream<Response>(call: ClientReadableStream<Response>): AsyncIterable<Response> {
  const responses = pipe<Response>(call)
  return {
    [Symbol.asyncIterator]: () => {
      const inner = responses.iterate()
      return {
        next: () => inner.next(),
        // A consumer that stops early (break) cancels the call.
        return: async () => {
          responses.closedHere()
          call.cancel()
          return {value: undefined, done: true}
        },
      }
    },
  }
}

function pipe<Response>(call: ClientReadableStream<Response> | ClientDuplexStream<never, Response>) {
  const queue = new AsyncQueue<Response>()
  let closedHere = false
  call.on('data', (response: Response) => {
    queue.push(response)
    if (queue.length >= maxBufferedResponses) call.pause()
  })
  call.on('end', () => queue.end())
  call.on('error', (error: ServiceError) => {
    if (closedHere) queue.end()
    else queue.fail(fromServiceError(error))
  })
  return {
    closedHere() {
      closedHere = true
      queue.end()
    },
    iterate(): AsyncIterator<Response> {
      const it = queue[Symbol.asyncIterator]()
      return {
        next: async () => {
          const result = await it.next()
          if (call.isPaused() && queue.length < maxBufferedResponses / 2) call.resume()
          return result
        },
        return: it.return?.bind(it),
      }
    },
  }
}
