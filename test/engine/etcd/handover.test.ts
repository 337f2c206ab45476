// A watch and a keep-alive outlive the holder they started on: when the holder leaves, the
// client takes the data dir over and resumes from the next revision — no gap, no duplicate.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {WatchCreateRequest} from '../../../src/api/proto/rpc.js'
import {DataDirClient} from '../../../src/cli/datadir-client.js'
import {tryHoldDataDir} from '../../../src/engine/etcd/holder.js'

test('a watch resumes on the next holder without a gap or a duplicate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'handover-'))
  try {
    const first = await tryHoldDataDir(dir)
    assert.ok(first)
    const client = await DataDirClient.open(dir, 5_000)
    const stream = client.watch()
    stream.send({createRequest: WatchCreateRequest.fromPartial({key: Buffer.from('k'), rangeEnd: Buffer.from('l')})})
    const received: string[] = []
    const iterator = stream[Symbol.asyncIterator]()
    const created = await iterator.next()
    assert.equal(created.value.created, true)

    await first.engine.put({key: Buffer.from('k1'), value: Buffer.from('a')})
    await first.engine.put({key: Buffer.from('k2'), value: Buffer.from('b')})
    while (received.length < 2) {
      const {value} = await iterator.next()
      for (const event of value.events) received.push(`${event.kv!.key}@${event.kv!.modRevision}`)
    }
    // The holder leaves; the client's next call makes this process the holder.
    await first.release()
    await client.put({key: Buffer.from('k3'), value: Buffer.from('c')})
    await client.put({key: Buffer.from('k1'), value: Buffer.from('d')})
    while (received.length < 4) {
      const {value, done} = await iterator.next()
      assert.equal(done, false)
      for (const event of value.events) received.push(`${event.kv!.key}@${event.kv!.modRevision}`)
    }
    assert.deepEqual(received, ['k1@2', 'k2@3', 'k3@4', 'k1@5'])
    stream.close()
    await client.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
