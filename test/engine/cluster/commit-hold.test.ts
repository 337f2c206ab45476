// Held commit indexes (commit-hold.ts, transport.ts): which of a Ready's messages may be held,
// and that a held message reaches its peer before the next message sent to it, or on its own
// after the hold time, never lost and never out of raft's order.
import assert from 'node:assert/strict'
import {after, describe, it} from 'node:test'
import {splitHoldable} from '../../../src/engine/cluster/commit-hold.js'
import {PeerTransport} from '../../../src/engine/cluster/transport.js'
import {type Message, MessageType, message} from '../../../src/engine/raft/index.js'

const commitOnly = (to: bigint, commit: number) => message({type: MessageType.App, to, from: 1n, index: 5, logTerm: 1, term: 1, commit})
const append = (to: bigint, index: number) =>
  message({type: MessageType.App, to, from: 1n, index, logTerm: 1, term: 1, commit: 5, entries: [{index: index + 1, term: 1, type: 0, data: new Uint8Array([1])}]})

describe('splitHoldable', () => {
  it('holds appends without entries, and only those', () => {
    const messages = [commitOnly(2n, 6), commitOnly(3n, 6)]
    assert.deepEqual(splitHoldable(messages), {send: [], hold: messages})
  })

  it('keeps all of a peer’s messages together: one that must go takes the others along', () => {
    const toTwo = [commitOnly(2n, 6), append(2n, 6)]
    const toThree = commitOnly(3n, 6)
    const heartbeat = message({type: MessageType.Heartbeat, to: 4n, from: 1n, term: 1})
    const {send, hold} = splitHoldable([toTwo[0]!, toThree, toTwo[1]!, heartbeat])
    assert.deepEqual(send, [toTwo[0], toTwo[1], heartbeat])
    assert.deepEqual(hold, [toThree])
  })
})

describe('PeerTransport.hold', () => {
  const received: Message[] = []
  let arrived: (() => void) | undefined
  const receiver = new PeerTransport({
    selfId: 2n,
    clusterId: 7n,
    listen: {host: '127.0.0.1', port: 0},
    peers: new Map(),
    deliver: (messages) => {
      received.push(...messages)
      arrived?.()
    },
    unreachable: () => undefined,
    snapshotStream: (_from, socket) => socket.destroy(),
    log: () => undefined,
  })
  let sender: PeerTransport | undefined
  after(async () => {
    await sender?.close()
    await receiver.close()
  })
  const until = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => (arrived = resolve))
  }

  it('sends a held message before the next one to the same peer, or alone once the hold time is up', async () => {
    const port = await receiver.start()
    sender = new PeerTransport({
      selfId: 1n,
      clusterId: 7n,
      listen: {host: '127.0.0.1', port: 0},
      peers: new Map([[2n, {host: '127.0.0.1', port}]]),
      deliver: () => undefined,
      unreachable: () => undefined,
      snapshotStream: (_from, socket) => socket.destroy(),
      log: () => undefined,
    })
    sender.send([commitOnly(2n, 5)])
    await until(1)

    // held for long: only the next send takes it along, first
    sender.hold([commitOnly(2n, 6)], 60_000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(received.length, 1)
    sender.send([append(2n, 6)])
    await until(3)
    assert.deepEqual(
      received.slice(1).map((m) => [m.commit, m.entries.length]),
      [
        [6, 0],
        [5, 1],
      ],
    )

    // nothing follows: it goes on its own after the hold time
    const heldAt = performance.now()
    sender.hold([commitOnly(2n, 7)], 20)
    await until(4)
    assert.equal(received[3]!.commit, 7)
    assert.ok(performance.now() - heldAt >= 15, 'sent before the hold time was up')
  })
})
