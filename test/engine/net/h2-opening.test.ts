// How the client port hands an HTTP/2 connection to the gRPC server (h2-opening.ts, mux.ts):
// natively when its first request's :authority needs no fix, however late that request comes,
// through AuthorityFixingSocket when it holds a '/' (etcdctl dialing by URL); the server
// preface sent before the hand-over is acknowledged by the client and that ACK never reaches
// nghttp2; PINGs before the first request are answered by the opening itself; a connection
// with no request by the fallback time takes the fix-up and is served all the same.
import assert from 'node:assert/strict'
import {connect, createServer as createHttp2Server, type ClientHttp2Session} from 'node:http2'
import type {Duplex} from 'node:stream'
import {test} from 'node:test'
import {AuthorityFixingSocket, Http2InboundRewriter} from '../../../src/engine/net/h2-authority.js'
import {ConnectionOpening, serverPreface} from '../../../src/engine/net/h2-opening.js'
import {listen} from '../../../src/engine/net/mux.js'

const clientPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(streamId, 5)
  return Buffer.concat([head, payload])
}

/** A header block: :method POST (indexed) and a literal :authority without indexing. */
function block(authority: string): Buffer {
  const value = Buffer.from(authority)
  return Buffer.concat([Buffer.of(0x83, 0x01, value.length), value])
}

const settings = frame(0x4, 0, 0, Buffer.alloc(0))
const settingsAck = frame(0x4, 0x1, 0, Buffer.alloc(0))

test('the server preface is an empty SETTINGS frame', () => {
  assert.deepEqual(serverPreface, settings)
})

test('a first request without "/" in :authority is read natively; the ACK of our preface is taken out, bytes split anywhere', () => {
  const headers = frame(0x1, 0x4 | 0x1, 1, block('127.0.0.1:2379'))
  const all = Buffer.concat([clientPreface, settings, settingsAck, headers])
  for (const cut of [1, 10, 24, 30, 33, 42, all.length - 1]) {
    const opening = new ConnectionOpening()
    assert.equal(opening.push(all.subarray(0, cut)), false, `cut at ${cut}`)
    assert.equal(opening.push(all.subarray(cut)), true)
    assert.equal(opening.verdict, 'native')
    assert.deepEqual(opening.bytes(), Buffer.concat([clientPreface, settings, headers]))
  }
})

test('a first request with "/" in :authority, or split over CONTINUATION, goes through the fix-up', () => {
  const url = new ConnectionOpening()
  assert.equal(url.push(Buffer.concat([clientPreface, settings, frame(0x1, 0x4, 1, block('http://127.0.0.1:2379'))])), false)
  assert.equal(url.verdict, 'fix-authority')
  assert.equal(url.ackSeen, false)
  assert.equal(url.push(settingsAck), true)

  const continued = new ConnectionOpening()
  const whole = block('127.0.0.1:2379')
  continued.push(Buffer.concat([clientPreface, settingsAck, frame(0x1, 0, 1, whole.subarray(0, 2)), frame(0x9, 0x4, 1, whole.subarray(2))]))
  assert.equal(continued.verdict, 'fix-authority')
  assert.equal(continued.ready, true)
})

test('a request before the ACK waits for it; frames after the verdict are kept in order', () => {
  const opening = new ConnectionOpening()
  const headers = frame(0x1, 0x4, 1, block('localhost:2379'))
  const data = frame(0x0, 0x1, 1, Buffer.from('hello'))
  assert.equal(opening.push(Buffer.concat([clientPreface, settings, headers, data])), false)
  assert.equal(opening.verdict, 'native')
  assert.equal(opening.push(Buffer.concat([settingsAck, settingsAck])), true)
  // only the first ACK is ours: a second one (of nghttp2's settings, in a real exchange) stays
  assert.deepEqual(opening.bytes(), Buffer.concat([clientPreface, settings, headers, data, settingsAck]))
})

test('a PING before the first request is answered at once and not handed on', () => {
  const replies: Buffer[] = []
  const opening = new ConnectionOpening((reply) => replies.push(reply))
  const payload = Buffer.from('01234567')
  const headers = frame(0x1, 0x4, 1, block('127.0.0.1:2379'))
  assert.equal(opening.push(Buffer.concat([clientPreface, settings, settingsAck, frame(0x6, 0, 0, payload)])), false)
  assert.deepEqual(replies, [frame(0x6, 0x1, 0, payload)])
  assert.equal(opening.push(headers), true)
  assert.deepEqual(opening.bytes(), Buffer.concat([clientPreface, settings, headers]))
})

test('handed to the fix-up before the ACK came, the fix-up takes the first ACK out', () => {
  const rewriter = new Http2InboundRewriter(true)
  const headers = frame(0x1, 0x4, 1, block('127.0.0.1:2379'))
  const out = Buffer.concat([rewriter.push(Buffer.concat([clientPreface, settings, headers])), rewriter.push(settingsAck), rewriter.push(settingsAck)])
  assert.deepEqual(out, Buffer.concat([clientPreface, settings, headers, settingsAck]))
})

/** One request on `client`, answered by the server below with its :authority. */
function ask(client: ClientHttp2Session, authority?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = client.request({':path': '/', ...(authority === undefined ? {} : {':authority': authority})})
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => resolve(body))
    request.on('error', reject)
    request.end()
  })
}

/**
 * A client port whose gRPC connections go to an HTTP/2 server answering each request with its
 * :authority; `kinds` records how each connection was handed over.
 */
async function clientPort(options: {openingFallbackMs?: number} = {}) {
  const h2 = createHttp2Server()
  h2.on('stream', (stream, headers) => {
    stream.respond({':status': 200})
    stream.end(String(headers[':authority']))
  })
  const kinds: string[] = []
  const port = await listen(
    {host: '127.0.0.1', port: 0},
    {
      grpc: (connection: Duplex) => {
        kinds.push(connection instanceof AuthorityFixingSocket ? 'fix-authority' : 'native')
        h2.emit('connection', connection)
      },
      http: (socket) => socket.destroy(),
    },
    options,
  )
  return {h2, kinds, port}
}

test('through the client port: native for a plain :authority, even a late one, the fix-up for a URL', async () => {
  const {h2, kinds, port} = await clientPort()
  const clients: ClientHttp2Session[] = []
  const open = () => {
    const client = connect(`http://127.0.0.1:${port.port}`)
    client.on('error', () => undefined)
    clients.push(client)
    return client
  }
  try {
    const plain = open()
    assert.equal(await ask(plain), `127.0.0.1:${port.port}`)
    assert.equal(await ask(plain), `127.0.0.1:${port.port}`)

    const url = open()
    const authority = `http://127.0.0.1:${port.port}`
    assert.equal(await ask(url, authority), `http:__127.0.0.1:${port.port}`)
    assert.equal(await ask(url, authority), `http:__127.0.0.1:${port.port}`)

    // connected, then idle (a keep-alive PING answered meanwhile): read natively all the same
    const late = open()
    await new Promise<void>((resolve) => late.once('remoteSettings', () => resolve()))
    await new Promise((resolve) => setTimeout(resolve, 400))
    await new Promise<void>((resolve, reject) => late.ping((error) => (error ? reject(error) : resolve())))
    assert.equal(kinds.length, 2, 'an idle connection is not handed over before its first request')
    assert.equal(await ask(late), `127.0.0.1:${port.port}`)
    assert.equal(await ask(late), `127.0.0.1:${port.port}`)
    assert.deepEqual(kinds, ['native', 'fix-authority', 'native'])

    // one that never calls is closed with the listener
    const idle = open()
    await new Promise<void>((resolve) => idle.once('remoteSettings', () => resolve()))
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()))
    // (the listener's close itself resolves once the other connections are gone too)
    void port.close()
    await closed
  } finally {
    for (const client of clients) client.destroy()
    h2.close()
    await port.close().catch(() => undefined)
  }
})

test('a connection with no request by the fallback time is handed to the fix-up, and served', async () => {
  const {h2, kinds, port} = await clientPort({openingFallbackMs: 200})
  const client = connect(`http://127.0.0.1:${port.port}`)
  client.on('error', () => undefined)
  try {
    await new Promise<void>((resolve) => client.once('remoteSettings', () => resolve()))
    await new Promise((resolve) => setTimeout(resolve, 400))
    assert.deepEqual(kinds, ['fix-authority'])
    assert.equal(await ask(client), `127.0.0.1:${port.port}`)
    assert.equal(await ask(client), `127.0.0.1:${port.port}`)
  } finally {
    client.destroy()
    h2.close()
    await port.close()
  }
})
