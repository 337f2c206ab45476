// The :authority fix-up of the client port (h2-authority.ts): Node's HTTP/2 server refuses an
// authority holding '/', which gRPC-Go sends when etcdctl dials a member by its URL. Through
// AuthorityFixingSocket the requests reach the server, whether the client sends the value as
// a literal (Huffman-coded or not) or as an index into its dynamic table; other headers pass
// unchanged.
import assert from 'node:assert/strict'
import {connect, createServer as createHttp2Server, type IncomingHttpHeaders} from 'node:http2'
import {connect as connectTcp, createServer, type Server} from 'node:net'
import {test} from 'node:test'
import {huffmanCodes, huffmanDecode} from '../../../src/engine/net/hpack-huffman.js'
import {AuthorityFixingSocket, AuthorityRewriter} from '../../../src/engine/net/h2-authority.js'

test('the Huffman code rebuilt from its lengths is the RFC one (a complete prefix code; examples of RFC 7541 C.4)', () => {
  const codes = huffmanCodes()
  assert.equal(codes.reduce((sum, c) => sum + 2 ** -c.length, 0), 1)
  assert.deepEqual([codes[48], codes[58], codes[256]], [{symbol: 48, code: 0, length: 5}, {symbol: 58, code: 0x5c, length: 7}, {symbol: 256, code: 0x3fffffff, length: 30}])
  assert.equal(huffmanDecode(Buffer.from('f1e3c2e5f23a6ba0ab90f4ff', 'hex')).toString(), 'www.example.com')
  assert.equal(huffmanDecode(Buffer.from('a8eb10649cbf', 'hex')).toString(), 'no-cache')
  assert.throws(() => huffmanDecode(Buffer.from('f1e3c2e5f23a6ba0ab90f400', 'hex')), /padding/)
})

test('a literal :authority with "/" is rewritten at the same length; a dynamic reference to it needs nothing', () => {
  const rewriter = new AuthorityRewriter()
  // literal with incremental indexing, static name 1 (:authority), raw value
  const value = Buffer.from('http://127.0.0.1:2379')
  const block = Buffer.concat([Buffer.of(0x41, value.length), value, Buffer.of(0x82)])
  const out = rewriter.rewrite(block)
  assert.deepEqual(out, Buffer.concat([Buffer.of(0x41, value.length), Buffer.from('http:__127.0.0.1:2379'), Buffer.of(0x82)]))
  // the entry is now index 62 on both sides: an indexed field passes as it is
  const again = Buffer.of(0xbe, 0x82)
  assert.equal(rewriter.rewrite(again), again)
  const plain = Buffer.concat([Buffer.of(0x41, 14), Buffer.from('127.0.0.1:2379')])
  assert.equal(rewriter.rewrite(plain), plain)
})

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as {port: number}).port
}

test("Node's HTTP/2 server behind AuthorityFixingSocket answers a client that sends a URL as :authority", async () => {
  const seen: IncomingHttpHeaders[] = []
  const h2 = createHttp2Server()
  h2.on('stream', (stream, headers) => {
    seen.push(headers)
    stream.respond({':status': 200})
    stream.end('ok')
  })
  const front = createServer((socket) => h2.emit('connection', new AuthorityFixingSocket(socket, Buffer.alloc(0))))
  const port = await listen(front)
  const client = connect(`http://127.0.0.1:${port}`)
  try {
    const authority = `http://127.0.0.1:${port}`
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const request = client.request({':path': `/p${i}`, ':authority': authority, 'x-big': 'y'.repeat(20_000 * (i === 2 ? 1 : 0))})
        request.on('response', (headers) => resolve(headers[':status'] as number))
        request.on('error', reject)
        request.resume()
        request.end()
      })
      assert.equal(status, 200)
    }
    assert.deepEqual(seen.map((h) => [h[':authority'], h[':path']]), [0, 1, 2].map((i) => [`http:__127.0.0.1:${port}`, `/p${i}`]))
    assert.equal(seen[2]!['x-big'], 'y'.repeat(20_000))
  } finally {
    client.close()
    front.close()
    h2.close()
  }
})

test('what the HTTP/2 server sends at once reaches the socket as one corked write, bytes in order', async () => {
  const received: Buffer[] = []
  let done!: () => void
  const all = new Promise<void>((resolve) => (done = resolve))
  const expected = Buffer.concat([Buffer.from('one,'), Buffer.from('two,'), Buffer.alloc(50_000, 'x'), Buffer.from(',three')])
  let writevCalls = 0
  const front = createServer((socket) => {
    const original = socket._writev!.bind(socket)
    socket._writev = (chunks, callback) => {
      writevCalls++
      original(chunks, callback)
    }
    const wrapped = new AuthorityFixingSocket(socket, Buffer.alloc(0))
    // as Node's JS stream wrapper hands over a write of several buffers
    wrapped.cork()
    wrapped.write(Buffer.from('one,'))
    wrapped.write(Buffer.from('two,'))
    wrapped.write(Buffer.alloc(50_000, 'x'))
    wrapped.write(Buffer.from(',three'), () => wrapped.end())
    wrapped.uncork()
  })
  const port = await listen(front)
  const client = connectTcp(port, '127.0.0.1')
  client.on('data', (chunk: Buffer) => received.push(chunk))
  client.on('end', () => done())
  try {
    await all
    assert.deepEqual(Buffer.concat(received), expected)
    assert.equal(writevCalls, 1)
  } finally {
    client.destroy()
    front.close()
  }
})
