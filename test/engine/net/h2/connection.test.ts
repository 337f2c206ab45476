// Conformance of the HTTP/2 server connection (h2/connection.ts) to RFC 9113, in the spirit of
// h2spec: a raw TCP client (raw-frames.ts) writes frames byte by byte as the RFC lays them out and
// reads the server's frames back. Covered: the preface and SETTINGS, PING, header blocks over
// CONTINUATION, stream ids and states, malformed requests, the stream limit, DATA and padding,
// flow control both ways, resets, write()'s back-pressure, graceful shutdown, and the flusher's
// order (answers before deferred writes, one socket write per turn).
import assert from 'node:assert/strict'
import {createServer, type AddressInfo, type Socket} from 'node:net'
import {test} from 'node:test'
import {H2ServerConnection, type H2ConnectionOptions} from '../../../../src/engine/net/h2/connection.js'
import type {H2Stream} from '../../../../src/engine/net/h2/stream.js'
import {
  continuation,
  data,
  E,
  F,
  headers,
  ping,
  PREFACE,
  priority,
  RawClient,
  rawFrame,
  requestFields,
  rstStream,
  S,
  settings,
  T,
  windowUpdate,
} from './raw-frames.js'

/** What the server saw of a stream. */
interface Seen {
  stream: H2Stream
  /** The index of its connection, in the order accepted. */
  connection: number
  fields: string[]
  chunks: Buffer[]
  ended: boolean
  closes: number
}

/** What a handler does with a stream's events (the test server records them first). */
interface Hooks {
  onData?(chunk: Buffer): void
  onEnd?(): void
  onClose?(): void
}

type Handler = (stream: H2Stream, seen: Seen) => Hooks | void

/** The response body for a path: N bytes for /bytes/N, else 'hello <path>'. */
function bodyFor(path: string): Buffer {
  const match = /^\/bytes\/(\d+)$/.exec(path)
  if (match === null) return Buffer.from(`hello ${path}`)
  const body = Buffer.alloc(Number(match[1]))
  for (let i = 0; i < body.length; i++) body[i] = 0x61 + (i % 26)
  return body
}

/** The answer: 200, the body for the path, trailers x-done: 1. */
function reply(stream: H2Stream): void {
  stream.respond([':status', '200'])
  stream.write(bodyFor(stream.headers[':path']!))
  stream.end(['x-done', '1'])
}

/** The default handler: answers when the request has ended. */
const answerAtEnd: Handler = (stream) => ({onEnd: () => reply(stream)})
/** A handler that only records: the test answers. */
const hold: Handler = () => undefined

interface SocketWrite {
  connection: number
  bytes: Buffer
}

interface TestServer {
  port: number
  connections: H2ServerConnection[]
  seen: Seen[]
  /** Every socket write of the server connections, in order. */
  writes: SocketWrite[]
  connect(): Promise<RawClient>
  close(): Promise<void>
}

type Options = Omit<H2ConnectionOptions, 'onStream'>

const defaults: Options = {maxConcurrentStreams: 100, maxHeaderListBytes: 16_384, maxHeldRequestBytes: 1_000_000, streamWindowBytes: 100_000, connectionWindowBytes: 1_000_000}

async function startServer(options: Partial<Options> = {}, handler: Handler = answerAtEnd): Promise<TestServer> {
  const connections: H2ServerConnection[] = []
  const sockets: Socket[] = []
  const clients: RawClient[] = []
  const seen: Seen[] = []
  const writes: SocketWrite[] = []
  const server = createServer((socket) => {
    const index = connections.length
    sockets.push(socket)
    const write = socket.write.bind(socket) as (chunk: Buffer) => boolean
    socket.write = ((chunk: Buffer) => {
      writes.push({connection: index, bytes: chunk})
      return write(chunk)
    }) as typeof socket.write
    const connection = new H2ServerConnection(socket, Buffer.alloc(0), {
      ...defaults,
      ...options,
      onStream(stream, fields) {
        const record: Seen = {stream, connection: index, fields: [...fields], chunks: [], ended: false, closes: 0}
        seen.push(record)
        const hooks = handler(stream, record) ?? {}
        stream.onData = (chunk) => {
          record.chunks.push(Buffer.from(chunk))
          hooks.onData?.(chunk)
        }
        stream.onEnd = () => {
          record.ended = true
          hooks.onEnd?.()
        }
        stream.onClose = () => {
          record.closes++
          hooks.onClose?.()
        }
      },
    })
    connections.push(connection)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    connections,
    seen,
    writes,
    async connect() {
      const client = await RawClient.connect(port)
      clients.push(client)
      return client
    },
    async close() {
      for (const client of clients) client.close()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Runs `body` with a server, closed afterwards. */
async function withServer(options: Partial<Options>, handler: Handler, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer(options, handler)
  try {
    await body(server)
  } finally {
    await server.close()
  }
}

/** A fresh connection, past the handshake, that sends `frames` and must end with GOAWAY `code`. */
async function connectionError(server: TestServer, code: number, frames: (client: RawClient) => Buffer[], handshake: Array<[number, number]> = []): Promise<void> {
  const client = await server.connect()
  await client.handshake(handshake)
  client.send(...frames(client))
  await client.connectionError(code)
}

const bodyOf = (seen: Seen): string => Buffer.concat(seen.chunks).toString()
const streamIds = (server: TestServer): number[] => server.seen.map((s) => s.stream.id)

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

// ---- 1. the preface and SETTINGS (§3.4, §6.5) ----

test('the server opens with SETTINGS of its options, then a WINDOW_UPDATE to its connection window; a client SETTINGS is ACKed', async () => {
  await withServer({maxConcurrentStreams: 7, streamWindowBytes: 100_000, maxHeaderListBytes: 8192, maxHeldRequestBytes: 1_000_000, connectionWindowBytes: 1_000_000}, answerAtEnd, async (server) => {
    const client = await server.connect()
    client.send(PREFACE, settings([[S.maxConcurrentStreams, 10]]))
    const first = await client.take()
    assert.equal(first.type, T.settings)
    assert.equal(first.flags, 0)
    assert.equal(first.streamId, 0)
    const values = new Map<number, number>()
    for (let at = 0; at < first.payload.length; at += 6) values.set(first.payload.readUInt16BE(at), first.payload.readUInt32BE(at + 2))
    assert.deepEqual(values, new Map([[S.maxConcurrentStreams, 7], [S.initialWindowSize, 100_000], [S.maxHeaderListSize, 8192]]))
    const second = await client.take()
    assert.equal(second.type, T.windowUpdate)
    assert.equal(second.streamId, 0)
    assert.equal(second.payload.readUInt32BE(0), 1_000_000 - 65_535)
    const third = await client.take()
    assert.equal(third.type, T.settings)
    assert.equal(third.flags, F.ack)
    assert.equal(third.payload.length, 0)
  })
  // a window of the default size needs no WINDOW_UPDATE
  await withServer({connectionWindowBytes: 65_535}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    await client.sync()
    assert.deepEqual(client.log.filter((f) => f.type === T.windowUpdate), [])
  })
})

test('a wrong preface: GOAWAY PROTOCOL_ERROR, then the socket closes', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    for (const preface of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n']) {
      const client = await server.connect()
      client.send(Buffer.from(preface, 'latin1'))
      const away = await client.connectionError(E.protocol)
      assert.equal(away.lastStreamId, 0)
      assert.equal(client.log[0]!.type, T.settings, 'SETTINGS first, still')
    }
  })
})

test('the preface and frames arriving a byte at a time are read', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    client.socket.setNoDelay(true)
    const bytes = Buffer.concat([PREFACE, settings([[S.enablePush, 0]]), client.request(1, '/slow', {endStream: true})])
    for (const byte of bytes) {
      client.send(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
    const response = await client.response(1)
    assert.deepEqual(response.headers, [':status', '200'])
    assert.equal(response.body.toString(), 'hello /slow')
    assert.deepEqual(response.trailers, ['x-done', '1'])
  })
})

test('SETTINGS errors: on a stream, an ACK with a payload, a length not a multiple of 6, ENABLE_PUSH of 2', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    await connectionError(server, E.protocol, () => [rawFrame(T.settings, 0, 1)])
    await connectionError(server, E.frameSize, () => [rawFrame(T.settings, F.ack, 0, Buffer.alloc(6))])
    await connectionError(server, E.frameSize, () => [rawFrame(T.settings, 0, 0, Buffer.alloc(5))])
    await connectionError(server, E.protocol, () => [settings([[S.enablePush, 2]])])
  })
})

// ---- 2. PING and frame size (§6.7, §4.2) ----

test('PING is answered with an ACK of the same 8 bytes; a PING ACK is not answered', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const opaque = Buffer.from('h2-ping!')
    client.send(ping(opaque))
    const ack = await client.take((f) => f.type === T.ping)
    assert.equal(ack.flags, F.ack)
    assert.equal(ack.streamId, 0)
    assert.deepEqual(ack.payload, opaque)
    client.send(ping(Buffer.from('an-ack!!'), F.ack))
    await client.sync()
    assert.equal(client.log.filter((f) => f.type === T.ping && f.payload.equals(Buffer.from('an-ack!!'))).length, 0)
  })
})

test('PING on a stream: PROTOCOL_ERROR; PING of 7 bytes: FRAME_SIZE_ERROR; a frame over 16384 bytes: FRAME_SIZE_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    await connectionError(server, E.protocol, () => [ping(Buffer.alloc(8), 0, 1)])
    await connectionError(server, E.frameSize, () => [ping(Buffer.alloc(7))])
    await connectionError(server, E.frameSize, (c) => [c.request(1), rawFrame(T.data, 0, 1, Buffer.alloc(16_385))])
    // the length alone decides, before the payload has come
    await connectionError(server, E.frameSize, () => [rawFrame(T.data, 0, 1, Buffer.alloc(0), 16_385)])
    // 16384 itself is allowed: an unknown frame type of that size is ignored (§4.1, §5.5)
    const client = await server.connect()
    await client.handshake()
    client.send(rawFrame(0xfa, 0xff, 0, Buffer.alloc(16_384)))
    await client.sync()
  })
})

// ---- 3. header blocks and stream ids (§6.2, §6.10, §5.1.1, §4.3) ----

test('a header block over HEADERS and two CONTINUATIONs is served', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const fields = requestFields('/split', ['x-long', 'v'.repeat(3000), 'x-after', 'yes'])
    const block = client.block(fields)
    const a = Math.floor(block.length / 3)
    client.send(
      headers(1, block.subarray(0, a), {endStream: true, endHeaders: false}),
      continuation(1, block.subarray(a, 2 * a), false),
      continuation(1, block.subarray(2 * a), true),
    )
    const response = await client.response(1)
    assert.equal(response.body.toString(), 'hello /split')
    assert.deepEqual(server.seen[0]!.fields, fields)
    assert.equal(server.seen[0]!.closes, 1)
  })
})

test('a header block interrupted (by another frame, or CONTINUATION of another stream), or CONTINUATION alone: PROTOCOL_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const half = (c: RawClient, id: number) => headers(id, c.block(requestFields()), {endStream: true, endHeaders: false})
    await connectionError(server, E.protocol, (c) => [half(c, 1), ping(Buffer.alloc(8))])
    await connectionError(server, E.protocol, (c) => [half(c, 1), data(1, 'x')])
    await connectionError(server, E.protocol, (c) => [half(c, 1), continuation(3, Buffer.alloc(0), true)])
    await connectionError(server, E.protocol, (c) => [continuation(1, c.block(requestFields()), true)])
  })
})

test('HEADERS on stream 0 or an even stream: PROTOCOL_ERROR; on a stream id lower than one used: STREAM_CLOSED', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    await connectionError(server, E.protocol, (c) => [c.request(0, '/', {endStream: true})])
    await connectionError(server, E.protocol, (c) => [c.request(2, '/', {endStream: true})])
    // lower than the last: stream 3 was skipped, and so closed, when 5 opened
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(5, '/', {endStream: true}))
    await client.response(5)
    client.send(client.request(3, '/', {endStream: true}))
    const away = await client.connectionError(E.streamClosed)
    assert.equal(away.lastStreamId, 5)
    // the same id again, once the stream is over
    const again = await server.connect()
    await again.handshake()
    again.send(again.request(1, '/', {endStream: true}))
    await again.response(1)
    again.send(again.request(1, '/', {endStream: true}))
    await again.connectionError(E.streamClosed)
  })
})

test('a header block HPACK cannot decode: COMPRESSION_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    // index 0 is not a field (RFC 7541 §6.1)
    await connectionError(server, E.compression, () => [headers(1, Buffer.from([0x80]), {endStream: true})])
    // an index past the static table, with an empty dynamic table
    await connectionError(server, E.compression, () => [headers(1, Buffer.from([0xbf]), {endStream: true})])
    // a literal whose string runs past the block
    await connectionError(server, E.compression, () => [headers(1, Buffer.from([0x40, 0x05, 0x61]), {endStream: true})])
  })
})

test('a header list past maxHeaderListBytes ends the connection: COMPRESSION_ERROR in one frame, ENHANCE_YOUR_CALM over CONTINUATION', async () => {
  await withServer({maxHeaderListBytes: 1000}, answerAtEnd, async (server) => {
    const client = await server.connect()
    const peer = await client.handshake()
    assert.equal(peer.get(S.maxHeaderListSize), 1000)
    client.send(client.request(1, '/', {endStream: true}))
    await client.response(1)
    client.send(headers(3, client.block(requestFields('/', ['x-big', 'b'.repeat(1000)])), {endStream: true}))
    await client.connectionError(E.compression)
    const block = (c: RawClient) => c.block(requestFields('/', ['x-big', 'b'.repeat(1000)]))
    await connectionError(server, E.enhanceYourCalm, (c) => {
      const whole = block(c)
      return [headers(1, whole.subarray(0, 600), {endStream: true, endHeaders: false}), continuation(1, whole.subarray(600), true)]
    })
  })
})

// ---- 4. malformed requests (§8.1.1, §8.2, §8.3) ----

test('malformed requests are reset with PROTOCOL_ERROR, and the connection serves the next stream', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const malformed: Array<[string, string[]]> = [
      ['an upper-case name', [...requestFields(), 'X-Upper', '1']],
      ['no :path', [':method', 'GET', ':scheme', 'http', ':authority', 'x']],
      ['a pseudo-header after a regular one', [':method', 'GET', ':scheme', 'http', 'x-regular', '1', ':path', '/']],
      ['an unknown pseudo-header', [...requestFields().slice(0, 6), ':foo', 'bar']],
      ['a response pseudo-header', [...requestFields().slice(0, 6), ':status', '200']],
      ['a pseudo-header twice', [':method', 'GET', ':path', '/', ':scheme', 'http', ':path', '/again']],
      ['a connection-specific field', [...requestFields(), 'connection', 'keep-alive']],
      ['Transfer-Encoding', [...requestFields(), 'transfer-encoding', 'chunked']],
      ['Upgrade', [...requestFields(), 'upgrade', 'h2c']],
      ['TE other than trailers', [...requestFields(), 'te', 'trailers, deflate']],
      ['an empty :path', requestFields('')],
    ]
    let id = 1
    for (const [what, fields] of malformed) {
      client.send(headers(id, client.block(fields), {endStream: true}))
      await client.streamError(id, E.protocol).catch((error: Error) => assert.fail(`${what}: ${error.message}`))
      id += 2
    }
    // one without END_STREAM: what the client sends after it is ignored (§5.1: we reset it)
    client.send(headers(id, client.block([...requestFields(), 'Bad', '1'])), data(id, 'late body'))
    await client.streamError(id, E.protocol)
    id += 2
    // TE: trailers is the one allowed (gRPC sends it)
    client.send(headers(id, client.block(requestFields('/fine', ['te', 'trailers'])), {endStream: true}))
    const response = await client.response(id)
    assert.equal(response.body.toString(), 'hello /fine')
    assert.deepEqual(streamIds(server), [id], 'onStream saw only the valid request')
  })
})

// ---- 5. the stream limit (§5.1.2) ----

test('a stream past maxConcurrentStreams is refused (REFUSED_STREAM); what the client sent on it is ignored; a stream is taken once one ends', async () => {
  await withServer({maxConcurrentStreams: 2}, answerAtEnd, async (server) => {
    const client = await server.connect()
    const peer = await client.handshake()
    assert.equal(peer.get(S.maxConcurrentStreams), 2)
    client.send(client.request(1), client.request(3), client.request(5))
    await client.streamError(5, E.refusedStream)
    assert.deepEqual(streamIds(server), [1, 3])
    // the client may have sent the refused stream's body and trailers before it saw the reset
    client.send(data(5, 'body of 5'), headers(5, client.block(['x-trailer', '1']), {endStream: true}))
    client.send(data(1, 'one', {endStream: true}))
    assert.equal((await client.response(1)).body.toString(), 'hello /')
    client.send(client.request(7, '/seven', {endStream: true}))
    assert.equal((await client.response(7)).body.toString(), 'hello /seven')
    assert.deepEqual(streamIds(server), [1, 3, 7])
    assert.equal(client.log.filter((f) => f.type === T.goAway).length, 0)
  })
})

// ---- 6. receiving DATA (§6.1, §6.9) ----

test('DATA on an idle stream or on stream 0: PROTOCOL_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    await connectionError(server, E.protocol, () => [data(1, 'x')])
    await connectionError(server, E.protocol, (c) => [c.request(1), data(3, 'x')])
    await connectionError(server, E.protocol, () => [data(0, 'x')])
  })
})

test("DATA past a stream's receive window: RST_STREAM FLOW_CONTROL_ERROR (padding counts); the connection goes on", async () => {
  await withServer({streamWindowBytes: 1000}, answerAtEnd, async (server) => {
    const client = await server.connect()
    const peer = await client.handshake()
    assert.equal(peer.get(S.initialWindowSize), 1000)
    client.send(client.request(1), data(1, Buffer.alloc(1001)))
    await client.streamError(1, E.flowControl)
    // 1 + 500 + 500 octets: the Pad Length and the padding count too
    client.send(client.request(3), data(3, Buffer.alloc(500), {padding: 500}))
    await client.streamError(3, E.flowControl)
    client.send(client.request(5), data(5, Buffer.alloc(1000), {endStream: true}))
    assert.equal((await client.response(5)).body.toString(), 'hello /')
    assert.deepEqual(server.seen.map((s) => [s.stream.id, bodyOf(s).length, s.closes]), [[1, 0, 1], [3, 0, 1], [5, 1000, 1]])
  })
})

test('DATA past the connection window: GOAWAY FLOW_CONTROL_ERROR; up to it, no error', async () => {
  // a window below the default cannot be announced: the client's starts at 65535 and the server
  // brings it down toward 20000 by giving back less
  await withServer({connectionWindowBytes: 20_000, streamWindowBytes: 1_000_000}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const sizes = [9999, 16_384, 16_384, 16_384, 6384]
    client.send(client.request(1), ...sizes.map((size) => data(1, Buffer.alloc(size))))
    await client.sync()
    const updates = client.drain(T.windowUpdate, 0).map((f) => f.payload.readUInt32BE(0))
    // after 9999 + 3 × 16384, 6384 were left, under half of 20000: given back up to 20000; the
    // last 6384 then leave 13616
    assert.deepEqual(updates, [20_000 - 6384])
    // the window is 20000 - 6384 = 13616: one octet more is past it
    client.send(data(1, Buffer.alloc(13_617)))
    await client.connectionError(E.flowControl)
    await connectionError(server, E.flowControl, (c) => [c.request(1), ...[1, 2, 3, 4].map(() => data(1, Buffer.alloc(16_384)))])
  })
})

/** Sends `body` on `streamId` as the windows allow, waiting for the server's WINDOW_UPDATEs; END_STREAM at the end. */
async function sendWithinWindows(client: RawClient, streamId: number, body: Buffer, streamWindow: number): Promise<number> {
  let connectionWindow = 65_535
  let updates = 0
  const apply = (frame: {streamId: number; payload: Buffer}) => {
    updates++
    const increment = frame.payload.readUInt32BE(0)
    if (frame.streamId === 0) connectionWindow += increment
    else if (frame.streamId === streamId) streamWindow += increment
  }
  for (let at = 0; at < body.length; ) {
    for (const frame of client.drain(T.windowUpdate)) apply(frame)
    const room = Math.min(connectionWindow, streamWindow, 16_384, body.length - at)
    if (room <= 0) {
      apply(await client.take((f) => f.type === T.windowUpdate))
      continue
    }
    client.send(data(streamId, body.subarray(at, at + room), {endStream: at + room === body.length}))
    at += room
    connectionWindow -= room
    streamWindow -= room
  }
  return updates
}

test('the server sends WINDOW_UPDATEs as it takes DATA: a client sends far more than the initial windows', async () => {
  await withServer({streamWindowBytes: 65_535, connectionWindowBytes: 65_535}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const body = Buffer.alloc(400_000)
    for (let i = 0; i < body.length; i++) body[i] = i % 251
    client.send(client.request(1))
    const updates = await sendWithinWindows(client, 1, body, 65_535)
    assert.ok(updates > 0)
    assert.equal((await client.response(1)).body.toString(), 'hello /')
    assert.ok(Buffer.concat(server.seen[0]!.chunks).equals(body))
  })
})

test('padded DATA and padded HEADERS (with and without PRIORITY) deliver exactly the unpadded bytes', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/padded-data'), data(1, 'abc', {padding: 10}), data(1, 'def', {padding: 0}), data(1, 'g', {padding: 254}), data(1, '', {padding: 5, endStream: true}))
    assert.equal((await client.response(1)).body.toString(), 'hello /padded-data')
    assert.equal(bodyOf(server.seen[0]!), 'abcdefg')
    const variants = [
      {padding: 7},
      {padding: 0},
      {padding: 3, priority: {dependsOn: 0, weight: 200}},
      {priority: {dependsOn: 1, weight: 10, exclusive: true}},
    ]
    let id = 3
    for (const variant of variants) {
      const fields = requestFields(`/padded-headers-${id}`, ['x-variant', JSON.stringify(variant)])
      client.send(headers(id, client.block(fields), {...variant, endStream: true}))
      assert.equal((await client.response(id)).body.toString(), `hello /padded-headers-${id}`)
      assert.deepEqual(server.seen.at(-1)!.fields, fields)
      id += 2
    }
    // a Pad Length of all but itself: no data, and no error
    client.send(client.request(id, '/all-padding'), data(id, 'xyz', {padding: 2, padLength: 5}), data(id, '', {endStream: true}))
    await client.response(id)
    assert.equal(bodyOf(server.seen.at(-1)!), '')
  })
})

test('padding as long as the frame or longer: PROTOCOL_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    // 1 + 3 + 2 octets, a Pad Length of 6
    await connectionError(server, E.protocol, (c) => [c.request(1), data(1, 'abc', {padding: 2, padLength: 6})])
    await connectionError(server, E.protocol, () => [rawFrame(T.data, F.padded, 1, Buffer.alloc(0))])
    await connectionError(server, E.protocol, (c) => [headers(1, c.block(requestFields()), {padding: 1, padLength: 200, endStream: true})])
    // after the priority fields, 2 octets of block and 1 of padding are left: a Pad Length of 4 is past them
    await connectionError(server, E.protocol, (c) => [headers(1, c.block(requestFields()).subarray(0, 2), {padding: 1, padLength: 4, priority: {dependsOn: 0, weight: 1}, endStream: true})])
  })
})

// ---- 7. sending under flow control (§6.9) ----

test("the response's DATA stops at the client's initial window of 10; WINDOW_UPDATEs let the rest go; trailers come after all DATA", async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake([[S.initialWindowSize, 10]])
    client.send(client.request(1, '/bytes/30', {endStream: true}))
    await client.sync()
    assert.equal(client.dataBytes(1), 10)
    client.send(windowUpdate(1, 5))
    await client.sync()
    assert.equal(client.dataBytes(1), 15)
    assert.equal(client.log.filter((f) => f.type === T.headers).length, 1, 'no trailers yet')
    client.send(windowUpdate(1, 100))
    const response = await client.response(1)
    assert.deepEqual(response.dataFrames, [10, 5, 15])
    assert.ok(response.body.equals(bodyFor('/bytes/30')))
    assert.deepEqual(response.trailers, ['x-done', '1'])
    const lastData = client.log.findLastIndex((f) => f.type === T.data)
    const trailers = client.log.findLastIndex((f) => f.type === T.headers)
    assert.ok(trailers > lastData)
    assert.equal(client.log[trailers]!.flags & F.endStream, F.endStream)
  })
})

test("a new SETTINGS_INITIAL_WINDOW_SIZE moves open streams' windows, below zero too, and lets waiting DATA go", async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake([[S.initialWindowSize, 10]])
    client.send(client.request(1, '/bytes/30', {endStream: true}))
    await client.sync()
    assert.equal(client.dataBytes(1), 10)
    // 10 → 5: the window, spent, is now -5; an update of 10 leaves room for 5
    client.send(settings([[S.initialWindowSize, 5]]), windowUpdate(1, 10))
    await client.sync()
    assert.equal(client.dataBytes(1), 15)
    client.send(settings([[S.initialWindowSize, 40]]))
    const response = await client.response(1)
    assert.deepEqual(response.dataFrames, [10, 5, 15])
    assert.deepEqual(response.trailers, ['x-done', '1'])
  })
})

test("the connection's send window (65535, not raised by the client) stops DATA across streams until a connection WINDOW_UPDATE", async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake([[S.initialWindowSize, 1_000_000]])
    client.send(client.request(1, '/bytes/40000', {endStream: true}), client.request(3, '/bytes/40000', {endStream: true}))
    await client.sync()
    assert.equal(client.dataBytes(), 65_535)
    client.send(windowUpdate(0, 80_000 - 65_535))
    const [one, three] = [await client.response(1), await client.response(3)]
    assert.ok(one.body.equals(bodyFor('/bytes/40000')))
    assert.ok(three.body.equals(bodyFor('/bytes/40000')))
    assert.deepEqual([one.trailers, three.trailers], [['x-done', '1'], ['x-done', '1']])
  })
})

test('WINDOW_UPDATE of 0: GOAWAY PROTOCOL_ERROR on the connection, RST_STREAM PROTOCOL_ERROR on a stream; a bad length: FRAME_SIZE_ERROR', async () => {
  await withServer({}, hold, async (server) => {
    await connectionError(server, E.protocol, () => [windowUpdate(0, 0)])
    await connectionError(server, E.frameSize, () => [rawFrame(T.windowUpdate, 0, 0, Buffer.alloc(3))])
    await connectionError(server, E.protocol, () => [windowUpdate(1, 10)])
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1), windowUpdate(1, 0))
    await client.streamError(1, E.protocol)
    await client.sync()
    assert.equal(server.seen[0]!.closes, 1)
  })
})

test('a send window past 2^31-1: FLOW_CONTROL_ERROR, of the connection (WINDOW_UPDATE, SETTINGS) or of the stream', async () => {
  await withServer({}, hold, async (server) => {
    await connectionError(server, E.flowControl, () => [windowUpdate(0, 0x7fff_ffff)])
    await connectionError(server, E.flowControl, () => [settings([[S.initialWindowSize, 0x8000_0000]])])
    // the stream at the largest window, then a SETTINGS that raises it by one
    await connectionError(server, E.flowControl, (c) => [c.request(1), windowUpdate(1, 0x7fff_ffff - 65_535), settings([[S.initialWindowSize, 65_536]])])
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1), windowUpdate(1, 0x7fff_ffff - 65_535))
    await client.sync()
    client.send(windowUpdate(1, 1))
    await client.streamError(1, E.flowControl)
    await client.sync()
  })
})

test('SETTINGS_MAX_FRAME_SIZE: above 16384, DATA frames up to it; below 16384 or above 2^24-1, PROTOCOL_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake([[S.maxFrameSize, 40_000], [S.initialWindowSize, 1_000_000]])
    client.send(windowUpdate(0, 1_000_000), client.request(1, '/bytes/100000', {endStream: true}))
    const response = await client.response(1)
    assert.deepEqual(response.dataFrames, [40_000, 40_000, 20_000])
    assert.ok(response.body.equals(bodyFor('/bytes/100000')))
    await connectionError(server, E.protocol, () => [settings([[S.maxFrameSize, 16_383]])])
    await connectionError(server, E.protocol, () => [settings([[S.maxFrameSize, 0x100_0000]])])
  })
})

// ---- 8. resets from the client (§6.4, §5.1) ----

test('RST_STREAM from the client: onClose runs once; DATA it sent after is dropped without an error; RST_STREAM on an idle stream: PROTOCOL_ERROR', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1), data(1, 'before'))
    await until(() => server.seen.length === 1 && server.seen[0]!.chunks.length === 1, 'the stream and its first chunk')
    client.send(rstStream(1, E.cancel))
    await client.sync()
    assert.equal(server.seen[0]!.closes, 1)
    client.send(data(1, 'after'), data(1, 'end', {endStream: true}), rstStream(1, E.cancel), windowUpdate(1, 100))
    await client.sync()
    assert.equal(bodyOf(server.seen[0]!), 'before')
    assert.equal(server.seen[0]!.ended, false)
    assert.equal(server.seen[0]!.closes, 1)
    assert.deepEqual(client.log.filter((f) => f.type === T.rstStream || f.type === T.goAway), [], 'nothing sent back on the reset stream')
    client.send(client.request(3, '/next', {endStream: true}))
    assert.equal((await client.response(3)).body.toString(), 'hello /next')
    client.send(rstStream(9, E.cancel))
    await client.connectionError(E.protocol)
  })
})

test("an :authority holding a whole URL (gRPC-Go's, for etcdctl's --cluster calls) is served as it is", async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    const fields = [':method', 'POST', ':scheme', 'http', ':path', '/url', ':authority', 'http://127.0.0.1:2379']
    client.send(headers(1, client.block(fields), {endStream: true}))
    assert.equal((await client.response(1)).body.toString(), 'hello /url')
    assert.equal(server.seen[0]!.stream.headers[':authority'], 'http://127.0.0.1:2379')
  })
})

test("hold(): request bytes held by a connection's streams together are bounded; a stream that is over gives its share back", async () => {
  const verdicts: Array<[string, boolean]> = []
  const handler: Handler = (stream) => ({
    onData: (chunk) => verdicts.push([stream.headers[':path']!, stream.hold(chunk.length)]),
  })
  await withServer({maxHeldRequestBytes: 1000}, handler, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/a'), data(1, Buffer.alloc(600)))
    client.send(client.request(3, '/b'), data(3, Buffer.alloc(600)))
    await until(() => verdicts.length === 2, 'both chunks')
    assert.deepEqual(verdicts, [['/a', true], ['/b', false]])
    client.send(rstStream(1, E.cancel))
    await client.sync()
    // /b still holds its 600 bytes: 900 in all
    client.send(client.request(5, '/c'), data(5, Buffer.alloc(300)))
    await until(() => verdicts.length === 3, 'the third chunk')
    assert.deepEqual(verdicts[2], ['/c', true])
    assert.equal(server.connections[0]!.heldRequestBytes, 900)
  })
})

// ---- 9. write() and onDrain ----

test('write() returns false once more than 1 MiB waits; onDrain runs once it goes below after WINDOW_UPDATEs', async () => {
  const results: boolean[] = []
  let written = 0
  let drains = 0
  const chunk = Buffer.alloc(100 * 1024, 0x62)
  const handler: Handler = (stream) => ({
    onEnd() {
      stream.respond([':status', '200'])
      stream.onDrain = () => {
        drains++
        stream.end(['x-done', '1'])
      }
      while (written < 4 * 1024 * 1024) {
        written += chunk.length
        const ok = stream.write(chunk)
        results.push(ok)
        if (!ok) break
      }
    },
  })
  await withServer({}, handler, async (server) => {
    const client = await server.connect()
    await client.handshake([[S.initialWindowSize, 1000]])
    client.send(client.request(1, '/', {endStream: true}))
    await client.sync()
    assert.equal(results.at(-1), false)
    assert.ok(results.slice(0, -1).every((ok) => ok))
    assert.ok(written - chunk.length < 1024 * 1024 && written >= 1024 * 1024 - 16 * 1024, `false after ${written} bytes`)
    assert.equal(client.dataBytes(1), 1000)
    assert.equal(drains, 0)
    client.send(windowUpdate(0, 4 * 1024 * 1024), windowUpdate(1, 4 * 1024 * 1024))
    const response = await client.response(1)
    assert.equal(response.body.length, written)
    assert.deepEqual(response.trailers, ['x-done', '1'])
    assert.equal(drains, 1)
  })
})

// ---- 10. shutdown (§6.8) ----

test('shutdown(): GOAWAY NO_ERROR naming the last stream; the open stream is answered in full; a new stream is not served; then the socket ends', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/open'), client.request(3, '/open-too'))
    await until(() => server.seen.length === 2, 'two streams')
    server.connections[0]!.shutdown()
    const away = await client.goAway()
    assert.deepEqual([away.lastStreamId, away.code], [3, E.noError])
    // a stream past the GOAWAY's last id: not served, and its frames are no error
    client.send(client.request(5, '/late'), data(5, 'x'), headers(5, client.block(['x-trailer', '1']), {endStream: true}))
    client.send(data(1, 'body', {endStream: true}))
    const one = await client.response(1)
    assert.deepEqual([one.headers, one.body.toString(), one.trailers], [[':status', '200'], 'hello /open', ['x-done', '1']])
    assert.equal(client.isClosed, false, 'stream 3 is still open')
    client.send(data(3, '', {endStream: true}))
    assert.equal((await client.response(3)).body.toString(), 'hello /open-too')
    await client.closed
    assert.deepEqual(streamIds(server), [1, 3])
    assert.deepEqual(client.log.filter((f) => f.streamId === 5), [])
    assert.equal(client.log.filter((f) => f.type === T.goAway).length, 1)
  })
})

test('shutdown() with no stream open: GOAWAY NO_ERROR, then the socket ends', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/', {endStream: true}))
    await client.response(1)
    await until(() => server.connections[0]!.streamCount === 0, 'the stream to close')
    server.connections[0]!.shutdown()
    const away = await client.goAway()
    assert.deepEqual([away.lastStreamId, away.code], [1, E.noError])
    await client.closed
  })
})

// ---- 11. the flusher ----

test("the flusher writes every connection's answers before any deferred write queued in the same turn", async () => {
  await withServer({}, hold, async (server) => {
    const a = await server.connect()
    await a.handshake()
    const b = await server.connect()
    await b.handshake()
    b.send(b.request(1, '/watch', {endStream: true}))
    await until(() => server.seen.length === 1, 'the watch')
    a.send(a.request(1, '/put', {endStream: true}))
    await until(() => server.seen.length === 2, 'the put')
    const [watch, put] = server.seen.map((s) => s.stream)
    assert.deepEqual(server.seen.map((s) => s.connection), [1, 0])
    watch!.respond([':status', '200'])
    await b.take((f) => f.type === T.headers && f.streamId === 1)
    const mark = server.writes.length
    // in one turn: the watch event first (deferred), then the put's answer
    watch!.deferred = true
    watch!.write(Buffer.from('event'))
    put!.respond([':status', '200'])
    put!.write(Buffer.from('put-ok'))
    put!.end(['x-done', '1'])
    assert.equal((await a.response(1)).body.toString(), 'put-ok')
    await b.take((f) => f.type === T.data && f.streamId === 1)
    assert.deepEqual(server.writes.slice(mark).map((w) => w.connection), [0, 1], 'the answer on connection 0, then the deferred write on 1')
  })
})

test('answers queued in one turn on one connection leave in one socket write', async () => {
  await withServer({}, hold, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/a', {endStream: true}), client.request(3, '/b', {endStream: true}), client.request(5, '/c', {endStream: true}))
    await until(() => server.seen.length === 3, 'three streams')
    await client.sync()
    const mark = server.writes.length
    for (const seen of server.seen) reply(seen.stream)
    const bodies = [(await client.response(1)).body, (await client.response(3)).body, (await client.response(5)).body].map(String)
    assert.deepEqual(bodies, ['hello /a', 'hello /b', 'hello /c'])
    assert.equal(server.writes.length - mark, 1)
  })
})

// ---- the rest: frames that end the connection, frames that are ignored, trailers ----

test('connection errors: PRIORITY on stream 0, PUSH_PROMISE, RST_STREAM on stream 0 or of a bad length, GOAWAY on a stream', async () => {
  await withServer({}, hold, async (server) => {
    await connectionError(server, E.protocol, () => [priority(0, 1)])
    await connectionError(server, E.protocol, () => [rawFrame(T.pushPromise, F.endHeaders, 1, Buffer.alloc(4))])
    await connectionError(server, E.protocol, () => [rstStream(0, E.cancel)])
    await connectionError(server, E.frameSize, (c) => [c.request(1), rawFrame(T.rstStream, 0, 1, Buffer.alloc(3))])
    await connectionError(server, E.protocol, () => [rawFrame(T.goAway, 0, 1, Buffer.alloc(8))])
  })
})

test("ignored: unknown frame types and settings, PRIORITY on an idle stream, the client's GOAWAY, WINDOW_UPDATE on a closed stream", async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake([[0x99, 7]])
    client.send(client.request(1, '/', {endStream: true}))
    await client.response(1)
    client.send(rawFrame(0x20, 0, 1, Buffer.from('unknown')), priority(11, 0), windowUpdate(1, 1000), settings([[0x4242, 1]]))
    await client.take((f) => f.type === T.settings && f.flags === F.ack)
    client.send(rawFrame(T.goAway, 0, 0, Buffer.alloc(8)))
    await client.sync()
    // PRIORITY opens no stream: 3 may still be opened
    client.send(client.request(3, '/three', {endStream: true}))
    assert.equal((await client.response(3)).body.toString(), 'hello /three')
  })
})

test('client trailers end the request; trailers without END_STREAM: RST_STREAM PROTOCOL_ERROR; DATA after END_STREAM: STREAM_CLOSED', async () => {
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/with-trailers'), data(1, 'body'), headers(1, client.block(['x-checksum', '42']), {endStream: true}))
    assert.equal((await client.response(1)).body.toString(), 'hello /with-trailers')
    assert.equal(bodyOf(server.seen[0]!), 'body')
    client.send(client.request(3), headers(3, client.block(['x-checksum', '42'])))
    await client.streamError(3, E.protocol)
  })
  await withServer({}, hold, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(1, '/', {endStream: true}), data(1, 'too late'))
    await client.streamError(1, E.streamClosed)
    await client.sync()
  })
  // on a stream over both ways, or one skipped (closed when a higher id opened): STREAM_CLOSED too (§6.1)
  await withServer({}, answerAtEnd, async (server) => {
    const client = await server.connect()
    await client.handshake()
    client.send(client.request(3, '/', {endStream: true}))
    await client.response(3)
    client.send(data(3, 'after the end'))
    await client.streamError(3, E.streamClosed)
    client.send(data(1, 'skipped'))
    await client.streamError(1, E.streamClosed)
    client.send(client.request(5, '/five', {endStream: true}))
    assert.equal((await client.response(5)).body.toString(), 'hello /five')
  })
})
