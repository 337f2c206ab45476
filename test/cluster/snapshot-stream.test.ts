// The snapshot stream on a real loopback connection: a file sent in chunks arrives whole and
// verified; a stream whose checksum does not match is refused and leaves nothing behind. And
// the snap dir's recovery on open: a received store whose record was saved is moved into place,
// everything else found there goes.
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, connect, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, test} from 'node:test'
import {FrameReader, frame} from '../../src/engine/cluster/frames.js'
import {receivedDbFile, recoverReceivedSnapshot} from '../../src/engine/cluster/snapshot-files.js'
import {chunkBytes, receiveSnapshot, sendSnapshot} from '../../src/engine/cluster/snapshot-stream.js'
import {encodeMessage, type Message, MessageType} from '../../src/engine/raft/index.js'

let dir: string
let server: Server | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-stream-test-'))
  mkdirSync(join(dir, 'snap'))
})

afterEach(async () => {
  const s = server
  server = undefined
  if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()))
  rmSync(dir, {recursive: true, force: true})
})

const message: Message = {
  type: MessageType.Snap,
  to: 2n,
  from: 1n,
  term: 3,
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  context: new Uint8Array(0),
  snapshot: {data: Buffer.from('[]'), metadata: {index: 42, term: 3, confState: {voters: [1n, 2n, 3n], learners: []}}},
}

interface Received {
  message: Message
  file: string
  bytes: number
}

/** A receiver on a free port; resolves each stream's outcome in `outcomes`. */
async function listen(outcomes: Array<Promise<Received>>): Promise<number> {
  const s = createServer((socket) => {
    const outcome = new Promise<Received>((resolve, reject) => {
        receiveSnapshot(socket, new FrameReader(64 * 1024 * 1024), [], {
          fileFor: (m) => receivedDbFile(dir, m.snapshot!.metadata.index),
          received: (m, file, bytes) => resolve({message: m, file, bytes}),
        })
          .catch(reject)
          .finally(() => socket.destroy())
      })
    // a refusal is asserted later: not an unhandled rejection meanwhile
    outcome.catch(() => undefined)
    outcomes.push(outcome)
  })
  server = s
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return (s.address() as {port: number}).port
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port}, () => resolve(socket))
    socket.once('error', reject)
  })
}

test('a file sent in chunks arrives whole, verified, under its index', async () => {
  const outcomes: Array<Promise<Received>> = []
  const port = await listen(outcomes)
  const source = join(dir, 'source.db')
  const content = randomBytes(3 * chunkBytes + 12345)
  writeFileSync(source, content)
  const socket = await dial(port)
  const sent = await sendSnapshot(socket, message, source)
  socket.destroy()
  assert.equal(sent, content.length)
  const received = await outcomes[0]!
  assert.equal(received.bytes, content.length)
  assert.equal(received.message.snapshot!.metadata.index, 42)
  assert.deepEqual(received.message.snapshot!.metadata.confState.voters, [1n, 2n, 3n])
  assert.equal(received.file, receivedDbFile(dir, 42))
  assert.ok(readFileSync(received.file).equals(content))
  assert.deepEqual(readdirSync(join(dir, 'snap')), [received.file.split('/').pop()])
})

test('a stream whose sha256 does not match is refused and leaves nothing behind', async () => {
  const outcomes: Array<Promise<Received>> = []
  const port = await listen(outcomes)
  const socket = await dial(port)
  const answer = new Promise<string>((resolve) => {
    const reader = new FrameReader(1024)
    socket.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk)
      if (frames.length > 0) resolve(frames[0]!.toString('utf8'))
    })
  })
  const data = randomBytes(1000)
  const end = Buffer.alloc(1 + 8 + 32)
  end[0] = 0x45
  end.writeBigUInt64BE(1000n, 1)
  socket.write(frame(Buffer.concat([Buffer.from('M'), encodeMessage(message)])))
  socket.write(frame(Buffer.concat([Buffer.from('D'), data])))
  socket.write(frame(end))
  const reply = JSON.parse(await answer) as {ok: boolean; error?: string}
  socket.destroy()
  assert.equal(reply.ok, false)
  assert.match(reply.error!, /sha256 mismatch/)
  await assert.rejects(outcomes[0]!, /sha256 mismatch/)
  assert.deepEqual(readdirSync(join(dir, 'snap')), [])
})

test('on open: the received store the record names is moved into place; the rest of the litter goes', async () => {
  const db = join(dir, 'db')
  mkdirSync(db)
  const backend = join(db, 'backend.mdb')
  writeFileSync(backend, 'old store')
  writeFileSync(receivedDbFile(dir, 42), 'new store')
  writeFileSync(receivedDbFile(dir, 41), 'superseded')
  writeFileSync(`${receivedDbFile(dir, 43)}.part`, 'half')
  writeFileSync(join(dir, 'snap', 'send-1-1.db'), 'copy being sent')
  writeFileSync(join(dir, 'snap', 'raft.json'), '{}')
  assert.equal(await recoverReceivedSnapshot(dir, 42, backend), true)
  assert.equal(readFileSync(backend, 'utf8'), 'new store')
  assert.deepEqual(readdirSync(join(dir, 'snap')), ['raft.json'])
  // a record the received store does not match: the store stays, the file goes
  writeFileSync(receivedDbFile(dir, 50), 'not recorded')
  assert.equal(await recoverReceivedSnapshot(dir, 42, backend), false)
  assert.equal(readFileSync(backend, 'utf8'), 'new store')
  assert.equal(existsSync(receivedDbFile(dir, 50)), false)
})
