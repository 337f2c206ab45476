// Opens a cluster member in a data dir (`ectl server --initial-cluster a=…,b=…`).
//
// A new member derives every id as etcd does (member ids from the peer URLs and
// --initial-cluster-token, the cluster id from the member ids), so every member of one
// --initial-cluster agrees on them without talking; it then starts from the same record of
// the initial configuration (raft-disk.ts). A member joining a running cluster
// (--initial-cluster-state existing) asks it for its ids and members instead (join-cluster.ts).
// A member with data ignores the initial flags, as etcd does, and restarts from its snapshot
// record and write-ahead log.
//
// Data dir layout: <data-dir>/member/{identity.json, snap/raft.json, wal/, db/}.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {AuthStore} from '../auth/auth-store.js'
import type {EmbeddedOptions} from '../etcd/embedded.js'
import {loadOrCreateIdentity, saveIdentity} from '../etcd/identity.js'
import {defaultQuotaBackendBytes} from '../etcd/backend-quota.js'
import {Lessor} from '../lease/lessor.js'
import {backendFileIn} from '../mvcc/backend.js'
import {openKvStore} from '../mvcc/store.js'
import {WatchableStore} from '../mvcc/watchable-store.js'
import {ClusterMember, type ClusterTiming} from './cluster-member.js'
import {ClusteredEtcd} from './clustered-etcd.js'
import {bootstrapNewCluster, joinRunningCluster} from './join-cluster.js'
import {openRaftDisk} from './raft-disk.js'
import type {PeerAddress, PeerTls} from './peer-tls.js'
import {Roster} from './roster.js'
import {loadSnapMeta, type SnapMeta} from './snap-meta.js'
import {recoverReceivedSnapshot} from './snapshot-files.js'
import {pathExists} from '../../util/path-exists.js'

export interface ClusterConfig {
  /** --name: this member's entry in initialCluster. */
  name: string
  /** --initial-cluster: each name's peer URLs. */
  initialCluster: Map<string, string[]>
  initialClusterToken: string
  initialClusterState: 'new' | 'existing'
  /** --listen-peer-urls (the first one; tls: https://). */
  listenPeer: PeerAddress
  /** --peer-cert-file and the rest (or --peer-auto-tls), for https:// peer URLs. */
  peerTls?: PeerTls
  timing: ClusterTiming
  log(line: string): void
}

export async function openClusteredEtcd(dataDir: string, config: ClusterConfig, options: EmbeddedOptions = {}): Promise<ClusteredEtcd> {
  const memberDir = join(dataDir, 'member')
  await mkdir(join(memberDir, 'db'), {recursive: true})
  const existing = await loadSnapMeta(memberDir)
  let bootstrap: SnapMeta | undefined
  if (existing === undefined) {
    if (await pathExists(join(memberDir, 'identity.json'))) {
      throw new Error(`data dir ${dataDir} holds the data of a single member; a cluster member needs a new data dir`)
    }
    const placed = config.initialClusterState === 'existing' ? await joinRunningCluster(config) : await bootstrapNewCluster(config)
    await saveIdentity(memberDir, {clusterId: placed.clusterId, memberId: placed.memberId})
    bootstrap = placed.meta
  }
  const identity = await loadOrCreateIdentity(memberDir)
  // a snapshot from the leader recorded but not yet moved into place when the process stopped
  if (existing !== undefined && (await recoverReceivedSnapshot(memberDir, existing.index, backendFileIn(join(memberDir, 'db'))))) {
    config.log(`finished installing the snapshot at index ${existing.index} received before the restart`)
  }
  // with data, the record on disk is used and the initial flags are ignored, as etcd does
  const disk = await openRaftDisk(memberDir, bootstrap ?? existing!)
  const lessor = new Lessor({clock: options.clock})
  const auth = new AuthStore()
  const store = openKvStore(join(memberDir, 'db'), {leases: lessor, auth})
  try {
    const member = new ClusterMember({
      memberDir,
      identity,
      store: new WatchableStore(store),
      lessor,
      disk,
      roster: Roster.fromSaved(disk.meta.roster),
      timing: config.timing,
      listenPeer: config.listenPeer,
      peerTls: config.peerTls,
      maxRequestBytes: options.limits?.maxRequestBytes ?? 1.5 * 1024 * 1024,
      quotaBackendBytes: options.limits?.quotaBackendBytes ?? defaultQuotaBackendBytes,
      log: config.log,
    })
    await member.listenPeers()
    member.start()
    return new ClusteredEtcd(member, auth, memberDir)
  } catch (error) {
    await disk.wal.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw error
  }
}

