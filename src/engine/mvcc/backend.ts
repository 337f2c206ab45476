// The durable backend: one LMDB environment (a copy-on-write B+tree file) with two
// sub-databases, as etcd's bolt buckets:
//   key  — revision bytes (see revision.ts) → encoded mvccpb.KeyValue
//   meta — consistent_index, scheduledCompactRev, finishedCompactRev
//   lease — lease id (8 bytes, big-endian) → granted TTL in seconds (8 bytes, big-endian)
//   auth — users ("u" + name → authpb.User), roles ("r" + name → authpb.Role) and meta
//          ("m" + enabled | revision), etcd's auth, authUsers and authRoles buckets in one
//   keyindex — a checkpoint of the in-memory key index (see key-index-checkpoint.ts): a header
//              and numbered chunks, written on clean close, read on open instead of a scan
//
// Commits skip fsync (noSync): the write-ahead log in front of the store is the durable
// record, and the member replays it past consistentIndex. LMDB's copy-on-write commit makes
// a killed process (kill -9) unable to corrupt the file: the data is already in the OS page
// cache, and a half-written transaction is never referenced by a meta page. Only an OS crash
// can lose recent commits, which is why `flushed()` exists: the log may drop segments only
// after everything applied so far is synced.
import fs from 'node:fs'
import path from 'node:path'
import {open, type Database, type RootDatabase} from 'lmdb'
import type {AuthBackend, AuthRecords} from '../auth/store-hook.js'
import {revToBytes} from './revision.js'

const BACKEND_FILE = 'backend.mdb'

/** The backend's file in a store's directory. */
export function backendFileIn(dir: string): string {
  return path.join(dir, BACKEND_FILE)
}
/** Address space reserved for the map; LMDB grows the file within it as needed. */
const DEFAULT_MAP_SIZE_BYTES = 64 * 1024 ** 3

export const MetaKey = {
  consistentIndex: 'consistent_index',
  scheduledCompactRev: 'scheduledCompactRev',
  finishedCompactRev: 'finishedCompactRev',
  /** The active alarms (etcd keeps them in its backend's alarm bucket). */
  alarms: 'alarms',
} as const

const CHECKPOINT_HEADER_KEY = Buffer.from('header')

/** Chunk keys are 4 bytes, so they never collide with the header key. */
function checkpointChunkKey(i: number): Buffer {
  const key = Buffer.allocUnsafe(4)
  key.writeUInt32BE(i)
  return key
}

export interface BackendOptions {
  mapSizeBytes?: number
}

/** The environment and its sub-databases; replaced as a whole by defragment(). */
interface Handles {
  root: RootDatabase
  keys: Database<Buffer, Buffer>
  meta: Database<Buffer, string>
  leases: Database<Buffer, Buffer>
  checkpoint: Database<Buffer, Buffer>
  auth: Database<Buffer, Buffer>
}

function openHandles(file: string, mapSizeBytes: number): Handles {
  const root = open({
    path: file,
    maxDbs: 8,
    mapSize: mapSizeBytes,
    noSync: true,
    overlappingSync: false,
    encoding: 'binary',
    keyEncoding: 'binary',
  }) as RootDatabase
  return {
    root,
    keys: root.openDB<Buffer, Buffer>({name: 'key', encoding: 'binary', keyEncoding: 'binary'}),
    meta: root.openDB<Buffer, string>({name: 'meta', encoding: 'binary'}),
    leases: root.openDB<Buffer, Buffer>({name: 'lease', encoding: 'binary', keyEncoding: 'binary'}),
    checkpoint: root.openDB<Buffer, Buffer>({name: 'keyindex', encoding: 'binary', keyEncoding: 'binary'}),
    auth: root.openDB<Buffer, Buffer>({name: 'auth', encoding: 'binary', keyEncoding: 'binary'}),
  }
}

/** Where a defragmented copy is written before it replaces the backend file (see defragment()). */
const DEFRAG_PREFIX = `${BACKEND_FILE}.defrag-`
let defragSequence = 0

/** LMDB's own pages besides the databases' trees: the two meta pages. */
const META_PAGES = 2

const AUTH_USER = 'u'
const AUTH_ROLE = 'r'
const AUTH_META = 'm'

function authKey(kind: string, name: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(kind, 'latin1'), typeof name === 'string' ? Buffer.from(name, 'latin1') : name])
}

export class Backend implements AuthBackend {
  private root: RootDatabase
  keys: Database<Buffer, Buffer>
  private meta: Database<Buffer, string>
  private leases: Database<Buffer, Buffer>
  private checkpoint: Database<Buffer, Buffer>
  private auth: Database<Buffer, Buffer>

  private constructor(
    handles: Handles,
    private readonly file: string,
    private readonly mapSizeBytes: number,
  ) {
    this.root = handles.root
    this.keys = handles.keys
    this.meta = handles.meta
    this.leases = handles.leases
    this.checkpoint = handles.checkpoint
    this.auth = handles.auth
  }

  static open(dir: string, opts: BackendOptions = {}): Backend {
    fs.mkdirSync(dir, {recursive: true})
    // A defragmented copy left by a process that died before swapping it in: the original
    // file is whole (the swap is a rename), so the copy is only litter.
    for (const name of fs.readdirSync(dir)) if (name.startsWith(DEFRAG_PREFIX)) fs.rmSync(path.join(dir, name), {force: true})
    const file = path.join(dir, BACKEND_FILE)
    const mapSizeBytes = opts.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES
    return new Backend(openHandles(file, mapSizeBytes), file, mapSizeBytes)
  }

  /** Opens a backend file that is not a live member's (a snapshot's copy), to read it. */
  static openFile(file: string): Backend {
    return new Backend(openHandles(file, DEFAULT_MAP_SIZE_BYTES), file, DEFAULT_MAP_SIZE_BYTES)
  }

  /** Whether this process changed the file since it opened it (a write, a defragment, a restore). */
  private changed = false

  /** Runs `fn` in one synchronous write transaction; reads inside it see its writes. */
  write<T>(fn: () => T): T {
    let result: T | undefined
    this.changed = true
    this.root.transactionSync(() => {
      result = fn()
    })
    return result as T
  }

  /**
   * The stored value at a revision, in a buffer that is only valid until the next backend
   * read: decode it at once.
   */
  getFast(revBytes: Buffer): Buffer | undefined {
    return this.keys.getBinaryFast(revBytes)
  }

  putRevision(revBytes: Buffer, value: Buffer): void {
    this.keys.putSync(revBytes, value)
  }

  removeRevision(revBytes: Buffer): void {
    this.keys.removeSync(revBytes)
  }

  /** Every revision key in order, with its value (copied). */
  *scan(): Generator<{key: Buffer; value: Buffer}> {
    for (const {key, value} of this.keys.getRange({snapshot: true})) yield {key, value}
  }

  /** Every revision key in order; values are fetched by the caller with getFast. */
  scanKeys(): Iterable<Buffer> {
    return this.keys.getKeys({snapshot: true})
  }

  /** A revision stored in meta, or undefined if never stored. */
  getMetaNumber(key: string): number | undefined {
    const value = this.meta.getBinary(key)
    if (value === undefined) return undefined
    return value.readUInt32BE(0) * 2 ** 32 + value.readUInt32BE(4)
  }

  putMetaNumber(key: string, n: number): void {
    this.meta.putSync(key, revToBytes(n, 0).subarray(0, 8))
  }

  getMetaBigint(key: string): bigint {
    const value = this.meta.getBinary(key)
    return value === undefined ? 0n : value.readBigUInt64BE(0)
  }

  putMetaBigint(key: string, n: bigint): void {
    const out = Buffer.allocUnsafe(8)
    out.writeBigUInt64BE(n)
    this.meta.putSync(key, out)
  }

  /** Raw bytes stored in meta, or undefined if never stored. */
  getMetaBytes(key: string): Buffer | undefined {
    return this.meta.getBinary(key)
  }

  putMetaBytes(key: string, value: Buffer): void {
    this.meta.putSync(key, value)
  }

  /** Records a granted lease (inside write()). */
  putLease(id: bigint, ttlSeconds: number): void {
    const key = Buffer.allocUnsafe(8)
    key.writeBigInt64BE(id)
    const value = Buffer.allocUnsafe(8)
    value.writeBigInt64BE(BigInt(ttlSeconds))
    this.leases.putSync(key, value)
  }

  /** Forgets a revoked lease (inside write()). */
  removeLease(id: bigint): void {
    const key = Buffer.allocUnsafe(8)
    key.writeBigInt64BE(id)
    this.leases.removeSync(key)
  }

  /** Every granted lease, in id order. */
  *scanLeases(): Generator<{id: bigint; ttlSeconds: number}> {
    for (const {key, value} of this.leases.getRange({snapshot: true})) {
      yield {id: key.readBigInt64BE(0), ttlSeconds: Number(value.readBigInt64BE(0))}
    }
  }

  /** How many revisions the key database holds (LMDB keeps the count: no scan). */
  revisionCount(): number {
    return (this.keys.getStats() as {entryCount: number}).entryCount
  }

  /** The highest revision key stored, or undefined on an empty store. */
  lastRevisionKey(): Buffer | undefined {
    for (const key of this.keys.getKeys({reverse: true, limit: 1})) return Buffer.from(key)
    return undefined
  }

  /** Replaces the whole key-index checkpoint (inside write()). */
  replaceCheckpoint(header: Buffer, chunks: Buffer[]): void {
    for (const key of [...this.checkpoint.getKeys()]) this.checkpoint.removeSync(key)
    this.checkpoint.putSync(CHECKPOINT_HEADER_KEY, header)
    chunks.forEach((chunk, i) => this.checkpoint.putSync(checkpointChunkKey(i), chunk))
  }

  /** The checkpoint's header, or undefined if none was ever written. */
  checkpointHeader(): Buffer | undefined {
    return this.checkpoint.getBinary(CHECKPOINT_HEADER_KEY)
  }

  /** Chunk `i` of the checkpoint (a copy), or undefined if missing. */
  checkpointChunk(i: number): Buffer | undefined {
    return this.checkpoint.getBinary(checkpointChunkKey(i))
  }

  /** Resolves once every commit so far is synced to stable storage. */
  flushed(): Promise<void> {
    return new Promise((resolve, reject) => {
      // RootDatabase.sync (mdb_env_sync, forced) exists at run time but is missing from the typings.
      const root = this.root as unknown as {sync(callback: (error?: unknown) => void): void}
      root.sync((error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()))
    })
  }

  sizeBytes(): number {
    return fs.statSync(this.file).size
  }

  /**
   * Bytes the databases occupy (etcd's db_size_in_use): the pages of every tree, the free list
   * and the meta pages. The rest of the file is free pages that LMDB reuses and that only
   * defragment() gives back.
   */
  sizeInUseBytes(): number {
    type Stats = {pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number}
    const pages = (s: Stats) => s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages
    const rootStats = this.root.getStats() as Stats & {free?: Stats}
    let used = META_PAGES + pages(rootStats) + (rootStats.free ? pages(rootStats.free) : 0)
    for (const db of [this.keys, this.meta, this.leases, this.checkpoint]) used += pages(db.getStats() as Stats)
    return used * rootStats.pageSize
  }

  // ---- auth (inside write()) ----

  putUser(name: Buffer, user: Uint8Array): void {
    this.auth.putSync(authKey(AUTH_USER, name), Buffer.from(user))
  }

  removeUser(name: Buffer): void {
    this.auth.removeSync(authKey(AUTH_USER, name))
  }

  putRole(name: Buffer, role: Uint8Array): void {
    this.auth.putSync(authKey(AUTH_ROLE, name), Buffer.from(role))
  }

  removeRole(name: Buffer): void {
    this.auth.removeSync(authKey(AUTH_ROLE, name))
  }

  putAuthMeta(key: 'enabled' | 'revision', value: Buffer): void {
    this.auth.putSync(authKey(AUTH_META, key), value)
  }

  /** Everything the auth bucket holds (read on open). */
  authRecords(): AuthRecords {
    const records: AuthRecords = {users: [], roles: [], enabled: undefined, revision: undefined}
    for (const {key, value} of this.auth.getRange({snapshot: true})) {
      const kind = String.fromCharCode(key[0]!)
      if (kind === AUTH_USER) records.users.push(Buffer.from(value))
      else if (kind === AUTH_ROLE) records.roles.push(Buffer.from(value))
      else if (key.equals(authKey(AUTH_META, 'enabled'))) records.enabled = Buffer.from(value)
      else if (key.equals(authKey(AUTH_META, 'revision'))) records.revision = Buffer.from(value)
    }
    return records
  }

  /**
   * Writes a consistent copy of the whole backend (one read transaction: every commit before
   * the copy started, none after) to `file`, compacted (no free pages).
   */
  async copyTo(file: string): Promise<void> {
    await this.root.backup(file, true)
  }

  /**
   * Rewrites the backend compactly and swaps the copy in: the file shrinks to the pages in use.
   * The caller must keep writers out until this resolves (the copy would miss their commits);
   * readers go on, on the old environment until the swap and on the new one after it. The swap
   * itself is one rename: a process killed at any point leaves either file whole.
   */
  async defragment(): Promise<void> {
    this.changed = true
    const dir = path.dirname(this.file)
    const copy = path.join(dir, `${DEFRAG_PREFIX}${process.pid}-${++defragSequence}`)
    try {
      await this.root.backup(copy, true)
      // LMDB keeps one environment per path in a process: open the copy under its own name,
      // then give the files their usual names (the open environment follows its inode).
      await this.swapIn(copy)
    } finally {
      fs.rmSync(copy, {force: true})
      fs.rmSync(`${copy}-lock`, {force: true})
    }
  }

  /**
   * Replaces the backend with the file `file` (a whole backend, e.g. a snapshot received from
   * the leader), which is moved into place: one rename, so a process killed at any point leaves
   * one file or the other whole. The caller must keep writers out until this resolves.
   */
  async replaceWith(file: string): Promise<void> {
    this.changed = true
    await this.flushed()
    await this.swapIn(file)
    fs.rmSync(`${file}-lock`, {force: true})
  }

  /**
   * LMDB keeps one environment per path in a process: `file` is opened under its own name, then
   * renamed over the backend's (the open environment follows its inode), and the old one closed.
   */
  private async swapIn(file: string): Promise<void> {
    const next = openHandles(file, this.mapSizeBytes)
    const old = this.root
    this.root = next.root
    this.keys = next.keys
    this.meta = next.meta
    this.leases = next.leases
    this.checkpoint = next.checkpoint
    this.auth = next.auth
    fs.renameSync(file, this.file)
    if (fs.existsSync(`${file}-lock`)) fs.renameSync(`${file}-lock`, `${this.file}-lock`)
    await old.close()
  }

  /**
   * etcd's Hash: a CRC-32 over every key and value of the stored databases, in order, except
   * what differs between members holding the same data (the consistent index) and what is
   * derived (the key-index checkpoint).
   */
  hash(crc32: (data: Buffer, seed?: number) => number): number {
    let hash = 0
    const each = (name: string, db: Database<Buffer, Buffer>) => {
      hash = crc32(Buffer.from(name), hash)
      for (const {key, value} of db.getRange({snapshot: true})) {
        hash = crc32(key, hash)
        hash = crc32(value, hash)
      }
    }
    each('key', this.keys)
    each('lease', this.leases)
    // meta's keys are known: read them rather than iterate its string-keyed database
    hash = crc32(Buffer.from('meta'), hash)
    for (const key of [MetaKey.scheduledCompactRev, MetaKey.finishedCompactRev, MetaKey.alarms]) {
      const value = this.meta.getBinary(key)
      if (value === undefined) continue
      hash = crc32(Buffer.from(key), hash)
      hash = crc32(value, hash)
    }
    return hash >>> 0
  }

  /** Entries of the stored databases (what etcd's snapshot status counts as keys). */
  entryCount(): number {
    let total = 0
    for (const db of [this.keys, this.meta, this.leases]) total += (db.getStats() as {entryCount: number}).entryCount
    return total
  }

  /** False until this process writes: a reader's close has nothing to sync or checkpoint. */
  get changedSinceOpen(): boolean {
    return this.changed
  }

  /** `sync: false` for a scratch file nobody relies on after a crash (a copy on its way to a follower). */
  async close(options: {sync?: boolean} = {}): Promise<void> {
    // what an earlier holder committed without syncing is still covered by its log (the log
    // drops nothing before a sync): only this process's own commits need syncing here
    if (this.changed && options.sync !== false) await this.flushed()
    await this.root.close()
  }
}
