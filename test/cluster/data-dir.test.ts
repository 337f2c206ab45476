// A cluster member's data dir is not opened as a single member's (its log holds Raft entries),
// and a single member's is not taken over by a cluster member.
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {openClusteredEtcd} from '../../src/engine/cluster/open-cluster.js'
import {openEmbedded} from '../../src/engine/etcd/embedded.js'

test('a cluster data dir refuses to open alone; a single member data dir refuses to join a cluster', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cluster-data-dir-'))
  try {
    const clustered = join(root, 'clustered')
    await mkdir(join(clustered, 'member', 'snap'), {recursive: true})
    await writeFile(join(clustered, 'member', 'snap', 'raft.json'), '{}')
    await assert.rejects(openEmbedded(clustered), /belongs to a member of a Raft cluster/)

    const single = join(root, 'single')
    await (await openEmbedded(single)).close()
    const config = {
      name: 'a',
      initialCluster: new Map([['a', ['http://127.0.0.1:1']], ['b', ['http://127.0.0.1:2']]]),
      initialClusterToken: 't',
      initialClusterState: 'new' as const,
      listenPeer: {host: '127.0.0.1', port: 0},
      timing: {heartbeatMs: 100, electionMs: 1000, snapshotCount: 100},
      log: () => undefined,
    }
    await assert.rejects(openClusteredEtcd(single, config), /holds the data of a single member/)
  } finally {
    await rm(root, {recursive: true, force: true})
  }
})
