// HPACK of the HTTP/2 server (h2/hpack.ts): the examples of RFC 7541 Appendix C decode to their
// header lists and table states; whatever the encoder writes, across table size changes, the
// decoder reads back in order; the Huffman decoder reads any octets; Node's HTTP/2 (nghttp2)
// reads our blocks, and we read its own (Huffman-coded, indexed); malformed blocks are refused
// with HpackError.
import assert from 'node:assert/strict'
import {
  connect,
  createServer as createHttp2Server,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import {connect as connectTcp, createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {test} from 'node:test'
import fc from 'fast-check'
import {HpackDecoder, HpackEncoder, HpackError} from '../../../../src/engine/net/h2/hpack.js'
import {F, PREFACE, rawFrame, settings, T} from './raw-frames.js'
import {huffmanCodes, huffmanDecode} from '../../../../src/engine/net/h2/hpack-huffman.js'

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

/** [name, value, …] from 'name: value' lines. */
function fieldsOf(...lines: string[]): string[] {
  return lines.flatMap((line) => {
    const colon = line.indexOf(': ', 1)
    return [line.slice(0, colon), line.slice(colon + 2)]
  })
}

/** One block of an Appendix C example: its bytes, the list it decodes to, and the table after it (newest first). */
interface Example {
  block: string
  fields: string[]
  table: string[]
  tableBytes: number
}

/** Decodes a sequence of examples on one decoder, checking the list and the table after each. */
function replay(decoder: HpackDecoder, examples: Example[]): void {
  for (const [i, example] of examples.entries()) {
    const decoded = decoder.decode(hex(example.block))
    assert.deepEqual(decoded.fields, example.fields, `block ${i + 1}`)
    assert.deepEqual(decoder.tableEntries(), example.table, `table after block ${i + 1}`)
    assert.equal(decoder.tableBytes, example.tableBytes, `table size after block ${i + 1}`)
  }
}

test('RFC 7541 C.2: a literal with indexing, without indexing, never indexed, and an indexed field', () => {
  const customKey = fieldsOf('custom-key: custom-header')
  replay(new HpackDecoder(), [{block: '400a637573746f6d2d6b65790d637573746f6d2d686561646572', fields: customKey, table: customKey, tableBytes: 55}])
  const path = fieldsOf(':path: /sample/path')
  replay(new HpackDecoder(), [{block: '040c2f73616d706c652f70617468', fields: path, table: [], tableBytes: 0}])
  const password = fieldsOf('password: secret')
  replay(new HpackDecoder(), [{block: '100870617373776f726406736563726574', fields: password, table: [], tableBytes: 0}])
  replay(new HpackDecoder(), [{block: '82', fields: fieldsOf(':method: GET'), table: [], tableBytes: 0}])
})

const requests = [
  fieldsOf(':method: GET', ':scheme: http', ':path: /', ':authority: www.example.com'),
  fieldsOf(':method: GET', ':scheme: http', ':path: /', ':authority: www.example.com', 'cache-control: no-cache'),
  fieldsOf(':method: GET', ':scheme: https', ':path: /index.html', ':authority: www.example.com', 'custom-key: custom-value'),
]
const requestTables = [
  fieldsOf(':authority: www.example.com'),
  fieldsOf('cache-control: no-cache', ':authority: www.example.com'),
  fieldsOf('custom-key: custom-value', 'cache-control: no-cache', ':authority: www.example.com'),
]
const requestTableBytes = [57, 110, 164]
const rawRequests = [
  '828684410f7777772e6578616d706c652e636f6d',
  '828684be58086e6f2d6361636865',
  '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
]

test('RFC 7541 C.3: three requests without Huffman; the encoder writes the same bytes', () => {
  replay(
    new HpackDecoder(),
    rawRequests.map((block, i) => ({block, fields: requests[i]!, table: requestTables[i]!, tableBytes: requestTableBytes[i]!})),
  )
  const encoder = new HpackEncoder()
  assert.deepEqual(
    requests.map((fields) => encoder.encode(fields).toString('hex')),
    rawRequests,
  )
  assert.equal(encoder.tableBytes, 164)
})

test('RFC 7541 C.4: the same requests with Huffman', () => {
  const blocks = [
    '828684418cf1e3c2e5f23a6ba0ab90f4ff',
    '828684be5886a8eb10649cbf',
    '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf',
  ]
  replay(
    new HpackDecoder(),
    blocks.map((block, i) => ({block, fields: requests[i]!, table: requestTables[i]!, tableBytes: requestTableBytes[i]!})),
  )
})

const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'
const responses = [
  fieldsOf(':status: 302', 'cache-control: private', 'date: Mon, 21 Oct 2013 20:13:21 GMT', 'location: https://www.example.com'),
  fieldsOf(':status: 307', 'cache-control: private', 'date: Mon, 21 Oct 2013 20:13:21 GMT', 'location: https://www.example.com'),
  fieldsOf(
    ':status: 200',
    'cache-control: private',
    'date: Mon, 21 Oct 2013 20:13:22 GMT',
    'location: https://www.example.com',
    'content-encoding: gzip',
    `set-cookie: ${cookie}`,
  ),
]
const responseTables = [
  fieldsOf('location: https://www.example.com', 'date: Mon, 21 Oct 2013 20:13:21 GMT', 'cache-control: private', ':status: 302'),
  fieldsOf(':status: 307', 'location: https://www.example.com', 'date: Mon, 21 Oct 2013 20:13:21 GMT', 'cache-control: private'),
  fieldsOf(`set-cookie: ${cookie}`, 'content-encoding: gzip', 'date: Mon, 21 Oct 2013 20:13:22 GMT'),
]
const responseTableBytes = [222, 222, 215]

test('RFC 7541 C.5: three responses without Huffman in a 256-byte table, with evictions', () => {
  const blocks = [
    `4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d54
     6e1768747470733a2f2f7777772e6578616d706c652e636f6d`,
    '4803333037c1c0bf',
    `88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d
     4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b207665
     7273696f6e3d31`,
  ]
  replay(
    new HpackDecoder(256),
    blocks.map((block, i) => ({block, fields: responses[i]!, table: responseTables[i]!, tableBytes: responseTableBytes[i]!})),
  )
})

test('RFC 7541 C.6: the same responses with Huffman', () => {
  const blocks = [
    `488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f
     0b97c8e9ae82ae43d3`,
    '4883640effc1c0bf',
    `88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdf
     cd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007`,
  ]
  replay(
    new HpackDecoder(256),
    blocks.map((block, i) => ({block, fields: responses[i]!, table: responseTables[i]!, tableBytes: responseTableBytes[i]!})),
  )
})

test('the map joins a repeated name with ", "; fields keep every field in order; listBytes counts 32 per field', () => {
  const fields = fieldsOf(':status: 200', 'x-a: 1', 'content-type: application/grpc', 'x-a: 2', '__proto__: p', 'constructor: c')
  const decoded = new HpackDecoder().decode(new HpackEncoder().encode(fields))
  assert.deepEqual(decoded.fields, fields)
  const map = {':status': '200', 'x-a': '1, 2', 'content-type': 'application/grpc', ['__proto__']: 'p', constructor: 'c'}
  assert.deepEqual({...decoded.map}, map)
  assert.equal(decoded.listBytes, fields.join('').length + 32 * 6)
})

const grpcResponse = fieldsOf(':status: 200', 'content-type: application/grpc', 'grpc-accept-encoding: identity,deflate,gzip')
const grpcTrailers = fieldsOf('grpc-status: 0', 'grpc-message: OK', 'x-etcd-member: 8e9e05c52164694d')

test('headers and trailers sent again come out as one byte per field', () => {
  const encoder = new HpackEncoder()
  const decoder = new HpackDecoder()
  for (const fields of [grpcResponse, grpcTrailers]) assert.deepEqual(decoder.decode(encoder.encode(fields)).fields, fields)
  for (const fields of [grpcResponse, grpcTrailers]) {
    const block = encoder.encode(fields)
    assert.equal(block.length, fields.length / 2)
    assert.deepEqual(decoder.decode(block).fields, fields)
  }
})

test('secrets are never indexed; dates, error messages and fields over a quarter of the table are not indexed', () => {
  const encoder = new HpackEncoder()
  const decoder = new HpackDecoder()
  const cases: [string, string, number][] = [
    ['authorization', 'Bearer x', 0x1f], // never indexed (0001), static name 23 past the 4-bit prefix
    ['token', 'secret', 0x10],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT', 0x0f],
    ['grpc-message', 'key not found', 0x00],
    ['x-big', 'v'.repeat(1024 - 32 - 5 + 1), 0x00],
    ['grpc-message', 'OK', 0x40],
    ['x-small', 'v'.repeat(1024 - 32 - 7), 0x40],
  ]
  for (const [name, value, firstByte] of cases) {
    const block = encoder.encode([name, value])
    assert.equal(block[0], firstByte, name)
    assert.deepEqual(decoder.decode(block).fields, [name, value])
    assert.equal(encoder.tableBytes, decoder.tableBytes)
  }
  assert.equal(encoder.tableBytes, 2 + 12 + 32 + 1024)
  // a field known by name only takes the name's index, here a dynamic one: 63, past the 4-bit prefix
  const block = encoder.encode(['grpc-message', 'OK2'])
  assert.deepEqual([...block.subarray(0, 3)], [0x0f, 63 - 15, 3])
  assert.deepEqual(decoder.decode(block).fields, ['grpc-message', 'OK2'])
})

test('table size changes: a lower size is signalled at the start of the next block, the lowest first', () => {
  const encoder = new HpackEncoder()
  const decoder = new HpackDecoder()
  decoder.decode(encoder.encode(fieldsOf('x-a: 1', 'x-b: 2')))
  encoder.setMaxTableBytes(40)
  decoder.setMaxTableBytes(40)
  let block = encoder.encode(fieldsOf('x-a: 1'))
  // a size update to 40 evicts x-a: 1; x-a: 1 is now above a quarter of the table, so not indexed
  assert.deepEqual([...block], [0x3f, 40 - 31, 0x00, 3, ...Buffer.from('x-a'), 1, ...Buffer.from('1')])
  assert.deepEqual(decoder.decode(block).fields, fieldsOf('x-a: 1'))
  assert.deepEqual(decoder.tableEntries(), fieldsOf('x-b: 2'))
  assert.equal(encoder.tableBytes, 36)
  // lowered to 0 then raised to 4096 between two blocks: both updates, the lowest first
  encoder.setMaxTableBytes(0)
  decoder.setMaxTableBytes(0)
  encoder.setMaxTableBytes(4096)
  decoder.setMaxTableBytes(4096)
  block = encoder.encode(fieldsOf('x-a: 1'))
  assert.deepEqual([...block.subarray(0, 4)], [0x20, 0x3f, 0xe1, 0x1f])
  assert.deepEqual(decoder.decode(block).fields, fieldsOf('x-a: 1'))
  assert.equal(block.length, 4 + 7) // the update to 0 emptied the table: x-a: 1 is a new literal again
  assert.equal(decoder.tableBytes, encoder.tableBytes)
  // the peer allows more than the encoder keeps: its table stays at its own maximum
  const small = new HpackEncoder(1024)
  assert.deepEqual([...small.encode([])], [0x3f, 0xe1, 0x07]) // first block: down from the default 4096
  small.setMaxTableBytes(65_536)
  assert.deepEqual([...small.encode([])], [0x3f, 0xe1, 0x07])
})

// names: a few that recur (some with static entries, some the encoder treats apart) and random tokens
const nameArbitrary = fc.oneof(
  fc.constantFrom(':status', ':path', 'content-type', 'grpc-status', 'grpc-message', 'date', 'authorization', 'token', 'x-a'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
)
const printable = fc.integer({min: 0x20, max: 0x7e}).map((code) => String.fromCharCode(code))
const valueArbitrary = fc.oneof(
  fc.constantFrom('', '0', '200', 'OK', 'application/grpc', 'v1'),
  fc.string({unit: printable, maxLength: 40}),
  // long enough to evict most of a table, or to be above a quarter of it
  fc.string({unit: printable, minLength: 300, maxLength: 1500}),
)
const blockArbitrary = fc.array(fc.tuple(nameArbitrary, valueArbitrary), {maxLength: 12}).map((pairs) => pairs.flat())
const stepArbitrary = fc.oneof(
  {weight: 5, arbitrary: blockArbitrary.map((fields) => ({fields}))},
  {weight: 1, arbitrary: fc.constantFrom(0, 64, 256, 1000, 4096, 8192).map((tableBytes) => ({tableBytes}))},
)

test('round trip: any sequence of blocks and table size changes decodes to the fields encoded, in order', () => {
  fc.assert(
    fc.property(fc.constantFrom(4096, 16_384), fc.array(stepArbitrary, {maxLength: 30}), (ownTableBytes, steps) => {
      const encoder = new HpackEncoder(ownTableBytes)
      const decoder = new HpackDecoder(4096, 1 << 20)
      // each block is followed by the one before it again, so that entries are found in the table
      const sent: string[][] = []
      for (const step of steps) {
        if ('tableBytes' in step) {
          encoder.setMaxTableBytes(step.tableBytes)
          decoder.setMaxTableBytes(step.tableBytes)
          continue
        }
        for (const fields of [step.fields, sent.at(-1) ?? []]) {
          assert.deepEqual(decoder.decode(encoder.encode(fields)).fields, fields)
          assert.equal(decoder.tableBytes, encoder.tableBytes)
        }
        sent.push(step.fields)
      }
    }),
    {numRuns: 300},
  )
})

/** Huffman-codes `bytes` (RFC 7541 §5.2), padding the last octet with ones. */
function huffmanEncode(bytes: Uint8Array): Buffer {
  const codes = huffmanCodes()
  let bits = ''
  for (const byte of bytes) bits += codes[byte]!.code.toString(2).padStart(codes[byte]!.length, '0')
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1')
  return Buffer.from(Array.from({length: bits.length / 8}, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2)))
}

test('the Huffman decoder, four bits at a time, reads back any octets', () => {
  fc.assert(
    fc.property(fc.uint8Array({maxLength: 100}), (bytes) => {
      assert.deepEqual(huffmanDecode(huffmanEncode(bytes)), Buffer.from(bytes))
    }),
  )
  const everyOctet = Uint8Array.from({length: 256}, (_, i) => i)
  assert.deepEqual(huffmanDecode(huffmanEncode(everyOctet)), Buffer.from(everyOctet))
})

/** Asserts that decoding `block` throws an HpackError whose message matches `message`. */
function refuses(decoder: HpackDecoder, block: Buffer, message: RegExp): void {
  assert.throws(() => decoder.decode(block), (error: unknown) => error instanceof HpackError && message.test(error.message))
}

test('malformed blocks throw HpackError', () => {
  refuses(new HpackDecoder(), hex('80'), /index 0/)
  refuses(new HpackDecoder(), hex('be'), /index 62 past/)
  refuses(new HpackDecoder(), hex('7e 01 61'), /name index 62 past/)
  refuses(new HpackDecoder(), hex('ff ff ff ff ff 0f'), /above 2\^31/)
  refuses(new HpackDecoder(), hex('ff 80'), /inside an integer/)
  refuses(new HpackDecoder(), hex('ff 80 80 80 80 80 00'), /more than 5/)
  refuses(new HpackDecoder(), hex('04 05 61'), /past the end/)
  refuses(new HpackDecoder(), hex('04'), /inside a field/)
  refuses(new HpackDecoder(), hex('40 01 61'), /inside a field/)
  // Huffman: 30 one-bits are EOS; 'a' is 00011, so 0x1f is 'a' and valid padding
  assert.deepEqual(new HpackDecoder().decode(hex('04 81 1f')).fields, [':path', 'a'])
  refuses(new HpackDecoder(), hex('04 84 ff ff ff fc'), /EOS/)
  refuses(new HpackDecoder(), hex('04 82 1f ff'), /padding/)
  refuses(new HpackDecoder(), hex('04 81 18'), /padding/)
  // table size updates: only before the first field, and not above what was advertised
  refuses(new HpackDecoder(), hex('82 20'), /after the first field/)
  assert.deepEqual(new HpackDecoder().decode(hex('20 3f e1 1f 82')).fields, [':method', 'GET'])
  refuses(new HpackDecoder(), hex('3f e2 1f'), /above the 4096/)
  refuses(new HpackDecoder(256), hex('3f e2 01'), /above the 256/)
  const lowered = new HpackDecoder()
  lowered.setMaxTableBytes(100)
  refuses(lowered, hex('82'), /does not start with the table size update/)
  assert.deepEqual(lowered.decode(hex('3f 45 82')).fields, [':method', 'GET'])
  assert.deepEqual(lowered.decode(hex('82')).fields, [':method', 'GET'])
})

test('a block whose list passes maxListBytes throws, and stops at the field that passes it', () => {
  const three = new HpackEncoder().encode(fieldsOf('x-a: 1', 'x-b: 2', 'x-c: 3')) // 3 × 36 bytes
  refuses(new HpackDecoder(4096, 100), three, /passes 100 bytes/)
  assert.equal(new HpackDecoder(4096, 108).decode(three).listBytes, 108)
  // a 1937-byte entry, then a million references to it: a 2 GB list from a 1 MB block
  const big = new HpackEncoder(8192)
  big.setMaxTableBytes(8192)
  const block = Buffer.concat([big.encode(['x-big', 'v'.repeat(1900)]), Buffer.alloc(1 << 20, 0xbe)])
  const decoder = new HpackDecoder(8192)
  const started = process.hrtime.bigint()
  refuses(decoder, block, /passes 65535 bytes/)
  assert.ok(process.hrtime.bigint() - started < 50_000_000n)
})

async function listen(server: Server | ReturnType<typeof createHttp2Server>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

test("Node's HTTP/2 server reads our blocks, the second one from the dynamic table", async () => {
  const server = createHttp2Server()
  const seen: string[][] = []
  // rawHeaders, the fields in order, is Node's fourth argument (not in @types/node 20)
  server.on('stream', (stream: ServerHttp2Stream, _headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    seen.push(rawHeaders)
    stream.respond({':status': 200}, {endStream: true})
  })
  const port = await listen(server)
  const socket = connectTcp(port, '127.0.0.1')
  try {
    const encoder = new HpackEncoder()
    const request = (id: string) =>
      fieldsOf(
        ':method: GET',
        ':scheme: http',
        ':path: /etcdserverpb.KV/Range',
        ':authority: 127.0.0.1:2379',
        'user-agent: hpack-test/1.0',
        'x-custom: a b c',
        `x-request-id: ${id}`,
        'x-custom: second',
      )
    const first = encoder.encode(request('1'))
    const second = encoder.encode(request('2'))
    assert.equal(second.length, 7 + 4) // all indexed but x-request-id: its name's index 63 (2 bytes), then a 1-byte value
    const allSeen = new Promise<void>((resolve) => server.on('stream', () => seen.length === 2 && resolve()))
    socket.write(Buffer.concat([
      PREFACE,
      settings(),
      rawFrame(T.headers, F.endHeaders | F.endStream, 1, first),
      rawFrame(T.headers, F.endHeaders | F.endStream, 3, second),
    ]))
    await allSeen
    assert.deepEqual(seen, [request('1'), request('2')])
  } finally {
    socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** The header blocks a client sends to a bare TCP server that speaks just enough HTTP/2 to take them. */
class HeaderBlockSink {
  readonly blocks: Buffer[] = []
  private pending = Buffer.alloc(0)
  private prefaceLeft = PREFACE.length
  private fragments: Buffer[] = []

  constructor(private readonly socket: Socket) {
    socket.write(settings())
    socket.on('data', (chunk: Buffer) => this.push(chunk))
  }

  private push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk])
    const skip = Math.min(this.prefaceLeft, this.pending.length)
    this.pending = this.pending.subarray(skip)
    this.prefaceLeft -= skip
    while (this.pending.length >= 9 && this.pending.length >= 9 + this.pending.readUIntBE(0, 3)) {
      const length = this.pending.readUIntBE(0, 3)
      this.onFrame(this.pending[3]!, this.pending[4]!, this.pending.subarray(9, 9 + length))
      this.pending = this.pending.subarray(9 + length)
    }
  }

  private onFrame(type: number, flags: number, payload: Buffer): void {
    if (type === T.settings && (flags & F.ack) === 0) this.socket.write(rawFrame(T.settings, F.ack, 0))
    if (type !== T.headers && type !== T.continuation) return
    if (type === T.headers) {
      const padding = flags & F.padded ? payload[0]! : 0
      payload = payload.subarray(flags & F.padded ? 1 : 0, payload.length - padding)
      if (flags & F.priority) payload = payload.subarray(5)
    }
    this.fragments.push(payload)
    if (flags & F.endHeaders) {
      this.blocks.push(Buffer.concat(this.fragments))
      this.fragments = []
    }
  }
}

test("we read the blocks of Node's HTTP/2 client (Huffman-coded, indexed) as it sent them", async () => {
  let sink: HeaderBlockSink | undefined
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    sink = new HeaderBlockSink(socket)
  })
  const port = await listen(server)
  const client = connect(`http://127.0.0.1:${port}`)
  client.on('error', () => {})
  try {
    const put = {':method': 'POST', ':path': '/etcdserverpb.KV/Put', 'content-type': 'application/grpc', te: 'trailers', 'x-list': ['one', 'two']}
    const sent: OutgoingHttpHeaders[] = [
      {...put, 'grpc-timeout': '4999m'},
      {...put, 'grpc-timeout': '4998m'},
      {':method': 'GET', ':path': '/?q=%C3%A9&x=~`{}|', 'x-long': 'L'.repeat(700), 'x-chars': '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \t'},
      {':method': 'GET', ':path': '/', 'x-long': 'L'.repeat(700), 'x-chars': 'again'},
    ]
    const streams: ClientHttp2Stream[] = []
    for (const headers of sent) {
      const stream = client.request(headers, {endStream: true})
      stream.on('error', () => {})
      streams.push(stream)
    }
    while ((sink?.blocks.length ?? 0) < sent.length) await new Promise((resolve) => setTimeout(resolve, 5))
    const decoder = new HpackDecoder()
    for (const [i, block] of sink!.blocks.entries()) {
      const {map, fields} = decoder.decode(block)
      const expected: Record<string, string> = {':scheme': 'http', ':authority': `127.0.0.1:${port}`}
      let fieldCount = 2
      for (const [name, value] of Object.entries(sent[i]!)) {
        expected[name] = Array.isArray(value) ? value.join(', ') : String(value)
        fieldCount += Array.isArray(value) ? value.length : 1
      }
      assert.deepEqual({...map}, expected, `request ${i + 1}`)
      assert.equal(fields.length, 2 * fieldCount)
    }
    // the second request reused the first one's entries, and the fourth the long value
    // the second request took most fields from the table (all but :path, which nghttp2 never
    // indexes, and the new grpc-timeout); the fourth took the 700-byte value from it
    const [first, second, , fourth] = sink!.blocks.map((block) => block.length)
    assert.ok(second! < first! / 2, `blocks of ${first} then ${second} bytes`)
    assert.ok(fourth! < 20, `fourth block of ${fourth} bytes`)
  } finally {
    client.destroy()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
})
