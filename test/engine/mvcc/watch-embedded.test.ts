// Watch through the in-process engine: member.header in responses, writes through the log,
// and the engine's close ending the streams.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {describe, it} from 'node:test'
import {ErrorMessage} from '../../../src/api/errors.js'
import type {WatchResponse} from '../../../src/api/proto/rpc.js'
import {openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {tempDir} from './helpers.js'
import {b, create, show} from './watch-helpers.js'

describe('EmbeddedEtcd.watch', () => {
  it('streams writes with the member header and ends with "server stopped" on close', async () => {
    const dir = tempDir('watch-embedded-')
    const etcd = await openEmbedded(dir)
    try {
      await etcd.put({key: b('a'), value: b('0')})
      const stream = etcd.watch()
      stream.send(create({key: b('a'), rangeEnd: b('b'), startRevision: 2n, prevKv: true}))
      const seen: WatchResponse[] = []
      const reading = (async () => {
        for await (const r of stream) seen.push(r)
      })()
      const ended = assert.rejects(reading, {message: ErrorMessage.stopped})
      await etcd.put({key: b('a'), value: b('1')})
      await etcd.deleteRange({key: b('a')})
      const status = await etcd.status()
      while (seen.flatMap((r) => r.events).length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
      await etcd.close()
      await ended
      assert.equal(seen[0]!.created, true)
      assert.equal(seen[0]!.header!.memberId, status.header!.memberId)
      assert.equal(seen[0]!.header!.clusterId, status.header!.clusterId)
      assert.equal(seen[0]!.header!.raftTerm, status.header!.raftTerm)
      const evs = seen.flatMap((r) => r.events)
      assert.deepEqual(evs.map(show), ['PUT a=0@2', 'PUT a=1@3', 'DELETE a@4'])
      assert.deepEqual(
        evs.map((e) => e.prevKv?.value.toString()),
        [undefined, '0', '1'],
      )
    } finally {
      await etcd.close()
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })
})
