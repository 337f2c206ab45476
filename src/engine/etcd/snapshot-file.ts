// Snapshot files: what Maintenance.Snapshot streams and `ectl snapshot save` writes. The format
// is our own (etcd's is a bolt file followed by a sha256); it carries a copy of the backend and
// enough to check and restore it:
//
//   file    := body trailer
//   body    := the backend file: one LMDB environment, a compacted copy taken in one read
//              transaction (so a point-in-time image: every write before it, none after)
//   trailer := block sha256
//   block   := 512 bytes: magic "ectlsnap" (8) | version u32 = 1 | reserved u32 = 0 |
//              revision u64 | consistent index u64 |   (the store's, as of the copy)
//              zeros to 512
//   sha256  := 32 bytes, of body and block
//   (integers big-endian)
//
// The shape is etcd's where etcdctl looks: the body is whole LMDB pages and the block 512
// bytes, so the file is a multiple of 512 plus a final sha256 of everything before it, which
// the real etcdctl's snapshot save checks for.
//
// A bare backend file (backend.mdb copied out of a data dir) has no trailer; restore takes it
// only with --skip-hash-check, as etcd takes a db file copied from a data directory.
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {mkdir, mkdtemp, open, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {readBackendFile, resetBackendFile} from '../mvcc/store.js'
import {saveIdentity} from './identity.js'
import {computeClusterId, computeMemberId, type ClusterMember, Membership, parseInitialCluster} from './membership.js'
import {pathExists} from '../../util/path-exists.js'

const BLOCK_BYTES = 512
export const TRAILER_BYTES = BLOCK_BYTES + 32
const MAGIC = Buffer.from('ectlsnap')
const VERSION = 1
/** The backend file's name in a member's db directory (see backend.ts). */
const BACKEND_FILE = 'backend.mdb'

export interface SnapshotTrailer {
  revision: number
  consistentIndex: bigint
}

/** The trailer's block (what the hash covers after the body). */
export function trailerHead(trailer: SnapshotTrailer): Buffer {
  const head = Buffer.alloc(BLOCK_BYTES)
  MAGIC.copy(head, 0)
  head.writeUInt32BE(VERSION, 8)
  head.writeBigUInt64BE(BigInt(trailer.revision), 16)
  head.writeBigUInt64BE(trailer.consistentIndex, 24)
  return head
}

/** A SnapshotError's message is what `ectl snapshot` prints. */
export class SnapshotError extends Error {}

interface ReadTrailer extends SnapshotTrailer {
  bodyBytes: number
  sha256: Buffer
}

async function readTrailer(file: string): Promise<ReadTrailer | undefined> {
  const size = (await stat(file)).size
  if (size < TRAILER_BYTES) return undefined
  const handle = await open(file, 'r')
  try {
    const trailer = Buffer.alloc(TRAILER_BYTES)
    await handle.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES)
    if (!trailer.subarray(0, 8).equals(MAGIC)) return undefined
    if (trailer.readUInt32BE(8) !== VERSION) throw new SnapshotError(`snapshot format version ${trailer.readUInt32BE(8)} is not supported`)
    return {
      revision: Number(trailer.readBigUInt64BE(16)),
      consistentIndex: trailer.readBigUInt64BE(24),
      bodyBytes: size - TRAILER_BYTES,
      sha256: Buffer.from(trailer.subarray(BLOCK_BYTES)),
    }
  } finally {
    await handle.close()
  }
}

/** sha256 over the first `bodyBytes` of the file, then the trailer head. */
async function hashOf(file: string, bodyBytes: number, head: Buffer): Promise<Buffer> {
  const hash = createHash('sha256')
  if (bodyBytes > 0) {
    for await (const chunk of createReadStream(file, {start: 0, end: bodyBytes - 1})) hash.update(chunk as Buffer)
  }
  hash.update(head)
  return hash.digest()
}

/** Copies the first `bytes` of `from` to `to`. */
async function copyPrefix(from: string, to: string, bytes: number): Promise<void> {
  const source = await open(from, 'r')
  const target = await open(to, 'w', 0o600)
  try {
    const buffer = Buffer.alloc(1024 * 1024)
    for (let at = 0; at < bytes; ) {
      const {bytesRead} = await source.read(buffer, 0, Math.min(buffer.length, bytes - at), at)
      if (bytesRead === 0) throw new SnapshotError('snapshot file is truncated')
      await target.write(buffer, 0, bytesRead)
      at += bytesRead
    }
    await target.sync()
  } finally {
    await source.close()
    await target.close()
  }
}

export interface SnapshotStatus {
  /** etcd's Hash of the backend inside (a CRC-32 of its databases). */
  hash: number
  revision: number
  totalKeys: number
  /** Bytes of the backend inside. */
  totalSize: number
}

/** What `snapshot status` prints. Throws the fs error (ENOENT) for a missing file. */
export async function snapshotStatus(file: string): Promise<SnapshotStatus> {
  const trailer = await readTrailer(file)
  const bodyBytes = trailer?.bodyBytes ?? (await stat(file)).size
  const work = await mkdtemp(join(tmpdir(), 'ectl-snapshot-status-'))
  try {
    const body = join(work, BACKEND_FILE)
    await copyPrefix(file, body, bodyBytes)
    const info = await readBackendFile(body).catch((error: unknown) => {
      throw new SnapshotError(`${file} is not a snapshot (${(error as Error).message})`)
    })
    return {hash: info.hash, revision: trailer?.revision ?? info.revision, totalKeys: info.totalKeys, totalSize: bodyBytes}
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

export interface RestoreOptions {
  dataDir: string
  name: string
  initialCluster: string
  initialClusterToken: string
  initialAdvertisePeerUrls: string
  skipHashCheck: boolean
}

export interface RestoreResult {
  clusterId: bigint
  memberId: bigint
  members: ClusterMember[]
  revision: number
}

/**
 * etcd's snapshot restore: a new data dir holding the snapshot's keys (every revision it had)
 * under a new cluster identity derived from the flags as etcd derives it, so members restored
 * with the same --initial-cluster agree on their ids.
 */
export async function restoreSnapshot(file: string, options: RestoreOptions, starting?: () => void): Promise<RestoreResult> {
  const members = parseRestoreCluster(options)
  if (await pathExists(options.dataDir)) throw new SnapshotError(`data-dir ${JSON.stringify(options.dataDir)} exists`)
  starting?.()
  await stat(file) // a missing file fails here, with the fs error
  const trailer = await readTrailer(file)
  if (trailer === undefined && !options.skipHashCheck) throw new SnapshotError('snapshot missing hash but --skip-hash-check=false')
  if (trailer !== undefined && !options.skipHashCheck) {
    const actual = await hashOf(file, trailer.bodyBytes, trailerHead(trailer))
    if (!actual.equals(trailer.sha256)) throw new SnapshotError(`expected sha256 ${goBytes(trailer.sha256)}, got ${goBytes(actual)}`)
  }
  const bodyBytes = trailer?.bodyBytes ?? (await stat(file)).size
  const memberDir = join(options.dataDir, 'member')
  const self = members.find((m) => m.name === options.name)!
  try {
    await mkdir(join(memberDir, 'db'), {recursive: true, mode: 0o700})
    await mkdir(join(memberDir, 'wal'), {recursive: true, mode: 0o700})
    const backend = join(memberDir, 'db', BACKEND_FILE)
    await copyPrefix(file, backend, bodyBytes)
    const info = await readBackendFile(backend).catch((error: unknown) => {
      throw new SnapshotError(`${file} is not a snapshot (${(error as Error).message})`)
    })
    await resetBackendFile(backend, info.consistentIndex)
    await rm(`${backend}-lock`, {force: true})
    const clusterId = computeClusterId(members.map((m) => m.id))
    await saveIdentity(memberDir, {clusterId, memberId: self.id})
    await Membership.create(memberDir, members)
    return {clusterId, memberId: self.id, members, revision: trailer?.revision ?? info.revision}
  } catch (error) {
    await rm(options.dataDir, {recursive: true, force: true})
    throw error
  }
}

function parseRestoreCluster(options: RestoreOptions): ClusterMember[] {
  let cluster: Map<string, string[]>
  try {
    cluster = parseInitialCluster(options.initialCluster)
  } catch (error) {
    throw new SnapshotError((error as Error).message)
  }
  const mine = cluster.get(options.name)
  if (mine === undefined) throw new SnapshotError(`couldn't find local name ${JSON.stringify(options.name)} in the initial cluster configuration`)
  const advertised = options.initialAdvertisePeerUrls.split(',').filter((u) => u !== '')
  if ([...mine].sort().join(',') !== [...advertised].sort().join(',')) {
    throw new SnapshotError(
      `--initial-cluster has ${options.name}=${mine.join(',')} but missing from --initial-advertise-peer-urls=${advertised.join(',')}`,
    )
  }
  return [...cluster].map(([name, urls]) => ({
    id: computeMemberId(urls, options.initialClusterToken),
    name,
    peerURLs: urls,
    clientURLs: [],
    isLearner: false,
  }))
}

/** Go's %v of a byte slice: [1 2 3]. */
function goBytes(bytes: Buffer): string {
  return `[${[...bytes].join(' ')}]`
}

/** Where a member stages the copy it streams (same file system as its backend). */
export function stagingPath(memberDir: string, sequence: number): string {
  return join(memberDir, `snapshot-${process.pid}-${sequence}.tmp`)
}

