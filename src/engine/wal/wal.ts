// The write-ahead log on disk: a directory of segment files, appended with group commit.
//
// Group commit: append() encodes its records at once, into one buffer, and queues them. A
// write takes everything queued, writes it as ONE batch with ONE write to the segment, which is
// open with O_DSYNC (the write returns once the data is as durable as an fdatasync would make
// it: one system call per batch instead of two), and then resolves every append in it; appends
// made meanwhile form the next batch. A batch with no other write on its way and a disk that
// answers within 2 ms is written on the event loop's thread, once the loop has read all that
// came in that turn (the thread pool's hand-off costs as much CPU as the write); otherwise the
// write goes to the thread pool and the event loop runs on while the disk works. Up to
// maxWritesInFlight writes (2 by default) are on their way at once, each at its own offset: a
// batch queued while one write is on disk starts at once instead of waiting for it, so the disk
// (which takes two writes at once about as fast as one) and the writers' work overlap. Appends
// are resolved in write order only: an append is acknowledged once its batch AND every batch
// before it are durable. So the disk sees one sync per batch however many writers there are.
// The queue is bounded (bytes and entries): past the bound an append waits, in call order,
// until a write takes the queue.
//
// Crash rules that follow (segment-reader.ts): only the writes in flight at a crash can be torn,
// and a later one may be whole where an earlier one is not; each batch record carries where the
// segment was durable when its write started, so replay can tell that from damage to
// acknowledged data, and cuts the tail at the first torn batch.
//
// Invariants: batches take their place in the segment in append() call order and are
// acknowledged in that order; a segment is only ever appended to (or cut back to its last whole
// batch when it is opened after a crash); the last segment is the only one written; a new
// segment or grown space is made only with no write in flight; every segment after the first
// starts with the current hard state, so removing older segments never loses it.
import assert from 'node:assert/strict'
import {constants} from 'node:fs'
import {type FileHandle, mkdir, open, rename, unlink} from 'node:fs/promises'
import {join} from 'node:path'
import {Errors} from '../../api/errors.js'
import type {HardState, WalContents, WalEntry, WriteAheadLog} from './log.js'
import {syncDir, writeFully, writeFullySync, writeFullyThen} from './fs-sync.js'
import {encodeBatch, encodeHardState, encodeRecords, encodeSegmentHeader} from './record.js'
import {type SegmentInfo, replayLog} from './replay.js'
import {segmentFileName, tempSuffix} from './segment-name.js'

export {WalCorruptError} from './errors.js'

export interface WalOptions {
  /** Replay returns entries with index > fromIndex (the index the caller's state already holds). Default 0. */
  fromIndex?: bigint
  /** A segment is closed and a new one started once a write would take it past this. Default 64 MiB. */
  segmentBytes?: number
  /** Bound of the append queue in encoded bytes. Default 8 MiB (an append bigger than that waits for an empty queue). */
  maxQueueBytes?: number
  /** Bound of the append queue in entries. Default 16384. */
  maxQueueEntries?: number
  /**
   * Batches written at once at most: the next write starts while the last ones are still on
   * their way to disk (1: one write at a time). Default 2.
   */
  maxWritesInFlight?: number
  /**
   * A batch is written on the event loop's thread when no other write is on its way and the
   * last write took at most this many milliseconds (see startWrite); a slower disk gets its
   * writes handed to the thread pool, so reads, watches and keep-alives go on while it works.
   * 0 sends every write to the pool. Default 2.
   */
  inlineWriteMaxMs?: number
}

/** Counters for tests and metrics. */
export interface WalStats {
  appends: number
  /** Batches written: each is one O_DSYNC write call (or a few, if the OS writes it partially). */
  batches: number
  /** Syncs of segment files, for any reason: fdatasync calls, and each batch's O_DSYNC write. */
  fileSyncs: number
  /** fsync calls on the directory. */
  dirSyncs: number
  bytesWritten: number
  segmentsCreated: number
  segmentsRemoved: number
  /** Bytes of a torn write cut from the last segment when the log was opened. */
  tornBytesCut: number
  /** Durable writes of zeros that grew the segment being written ahead of its batches. */
  growWrites: number
  /** Batches written on the event loop's own thread (the rest went to the thread pool). */
  inlineWrites: number
}

interface PendingAppend {
  /** The append's records back to back (empty for an append that only waits). */
  records: Buffer
  bytes: number
  entryCount: number
  /** Index of the last entry, when there are entries. */
  lastIndex: bigint | undefined
  hardState: HardState | undefined
  resolve: () => void
  reject: (error: Error) => void
}

interface WriteInFlight {
  batch: PendingAppend[]
  /** Where the batch starts in the segment. */
  position: number
  state: 'writing' | 'durable' | 'failed'
  error: Error | undefined
}

interface Tail {
  handle: FileHandle
  segment: SegmentInfo
  sizeBytes: number
  /** The file's length: past sizeBytes it holds zeros, space grown ahead of the writes. */
  allocatedBytes: number
  /** Batches of appended records in this segment (not counting the one written at its creation). */
  appendBatches: number
}

/**
 * The segment being written is open with O_DSYNC: each write returns once its data (and the
 * size change that makes it readable) is on disk, as write + fdatasync would.
 */
const tailOpenFlags = constants.O_RDWR | constants.O_DSYNC
const newTailOpenFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC

/**
 * The segment being written grows ahead of its writes by this much, in one durable write of
 * zeros. A write into space the file already has changes no file size, so its O_DSYNC need not
 * commit the file system's journal: on ext4 that makes a batch's write several times quicker.
 * Replay reads zeros after the last batch of the last segment as that space (segment-reader.ts).
 */
const growAheadBytes = 1024 * 1024
const zeroChunk = Buffer.alloc(growAheadBytes)

/** A batch record and its payload: what a write adds besides its records. */
const batchRecordBytes = encodeBatch(0, 0).length

const defaults = {segmentBytes: 64 * 1024 * 1024, maxQueueBytes: 8 * 1024 * 1024, maxQueueEntries: 16384, maxWritesInFlight: 2, inlineWriteMaxMs: 2}

/** Opens the log in `dir` (creating it if needed), replays it, and returns it ready to append. */
export async function openWal(dir: string, opts: WalOptions = {}): Promise<{wal: SegmentedWal; contents: WalContents}> {
  const fromIndex = opts.fromIndex ?? 0n
  const limits = {
    segmentBytes: opts.segmentBytes ?? defaults.segmentBytes,
    maxQueueBytes: opts.maxQueueBytes ?? defaults.maxQueueBytes,
    maxQueueEntries: opts.maxQueueEntries ?? defaults.maxQueueEntries,
    maxWritesInFlight: opts.maxWritesInFlight ?? defaults.maxWritesInFlight,
    inlineWriteMaxMs: opts.inlineWriteMaxMs ?? defaults.inlineWriteMaxMs,
  }
  assert.ok(fromIndex >= 0n, 'fromIndex must not be negative')
  assert.ok(limits.segmentBytes > 0 && limits.maxQueueBytes > 0 && limits.maxQueueEntries > 0 && limits.maxWritesInFlight > 0, 'wal limits must be positive')
  await mkdir(dir, {recursive: true})
  const stats: WalStats = {
    appends: 0,
    batches: 0,
    fileSyncs: 0,
    dirSyncs: 0,
    bytesWritten: 0,
    segmentsCreated: 0,
    segmentsRemoved: 0,
    tornBytesCut: 0,
    growWrites: 0,
    inlineWrites: 0,
  }

  const replayed = await replayLog(dir, fromIndex)
  if (!replayed) {
    const segment: SegmentInfo = {sequence: 1n, firstIndex: fromIndex + 1n, path: '', maxIndex: fromIndex}
    const tail = await createSegment(dir, segment, undefined, stats)
    const wal = new SegmentedWal(dir, limits, stats, [segment], tail, fromIndex, undefined)
    return {wal, contents: {entries: [], hardState: undefined}}
  }

  const {segments, contents} = replayed
  const last = segments[segments.length - 1]
  const handle = await open(last.path, tailOpenFlags)
  let tail: Tail
  try {
    if (replayed.tornBytes > 0) {
      // Cut the torn write off, durably, before anything is appended after it.
      await handle.truncate(replayed.tailValidBytes)
      await handle.datasync()
      stats.fileSyncs++
      stats.tornBytesCut = replayed.tornBytes
    }
    const allocatedBytes = replayed.tornBytes > 0 ? replayed.tailValidBytes : replayed.tailFileBytes
    tail = {handle, segment: last, sizeBytes: replayed.tailValidBytes, allocatedBytes, appendBatches: 0}
  } catch (error) {
    await handle.close()
    throw error
  }
  const wal = new SegmentedWal(dir, limits, stats, segments, tail, replayed.lastIndex, contents.hardState)
  if (fromIndex > replayed.lastIndex) {
    // The caller's state is past the end of the log (restored from a snapshot): continue the
    // log from there in a new segment; replay accepts that jump for any fromIndex that covers it.
    try {
      await wal.startSegmentAt(fromIndex + 1n)
    } catch (error) {
      await wal.close()
      throw error
    }
  }
  return {wal, contents}
}

/** Writes a new segment (header, then the hard state if any) under a temp name, syncs it, renames it into place. */
async function createSegment(dir: string, segment: SegmentInfo, hardState: HardState | undefined, stats: WalStats): Promise<Tail> {
  const name = segmentFileName(segment)
  segment.path = join(dir, name)
  const tempPath = segment.path + tempSuffix
  const parts = [encodeSegmentHeader(segment)]
  if (hardState) {
    const state = encodeHardState(hardState)
    parts.push(encodeBatch(state.length, parts[0].length), state)
  }
  const content = Buffer.concat(parts)
  const handle = await open(tempPath, newTailOpenFlags)
  try {
    await writeFully(handle, content, 0)
    await handle.datasync()
    stats.fileSyncs++
    await rename(tempPath, segment.path)
    await syncDir(dir)
    stats.dirSyncs++
  } catch (error) {
    await handle.close()
    throw error
  }
  stats.segmentsCreated++
  stats.bytesWritten += content.length
  return {handle, segment, sizeBytes: content.length, allocatedBytes: content.length, appendBatches: 0}
}

export class SegmentedWal implements WriteAheadLog {
  readonly stats: WalStats
  /** Told how long each batch's durable write took, in seconds (a metrics hook; keep it cheap). */
  syncObserver: ((seconds: number) => void) | undefined
  /** How long the last batch's write took, in ms (decides whether the next is written inline). */
  private lastWriteMs = 0
  private state: 'open' | 'closing' | 'closed' = 'open'
  /** Set when a write or sync failed: what is on disk is unknown, so nothing more is accepted. */
  private failure: Error | undefined
  private queue: PendingAppend[] = []
  private queuedBytes = 0
  private queuedEntries = 0
  /**
   * Appends that did not fit in the queue, in call order. Not bounded here: each one is a caller
   * awaiting its append, and callers bound how many they have in flight (the member caps its
   * proposals); their records are already encoded, so this holds at most what they hold.
   */
  private readonly waiting: PendingAppend[] = []
  /** Set while the log has work queued, in flight or making room; settles when it has none. */
  private flushing: Promise<void> | undefined
  private settleFlushing: (() => void) | undefined
  private pumpScheduled = false
  /** A new segment or grown space is being made for the next batch. */
  private makingRoom = false
  /** The zeros being written past the segment's grown space in the background, while they are. */
  private growing: Promise<void> | undefined
  /** Writes started and not yet known durable, in write order (at most maxWritesInFlight). */
  private readonly inFlight: WriteInFlight[] = []
  private releasing: Promise<void> = Promise.resolve()
  private closing: Promise<void> | undefined
  /** Last index of everything accepted by append() (queued or written). */
  private acceptedLastIndex: bigint
  /** Last index durably written. */
  private writtenLastIndex: bigint
  /** The last hard state durably written; copied into each new segment. */
  private hardState: HardState | undefined

  constructor(
    private readonly dir: string,
    private readonly limits: Required<Omit<WalOptions, 'fromIndex'>>,
    stats: WalStats,
    private readonly segments: SegmentInfo[],
    private tail: Tail,
    lastIndex: bigint,
    hardState: HardState | undefined,
  ) {
    this.stats = stats
    this.acceptedLastIndex = lastIndex
    this.writtenLastIndex = lastIndex
    this.hardState = hardState
  }

  /**
   * Whether an append made now would start its write at once: fewer writes than the limit are
   * in flight. (It may still wait for a new segment or grown space.)
   */
  get canStartWrite(): boolean {
    return this.inFlight.length < this.limits.maxWritesInFlight
  }

  /** Index of the last entry accepted by append(). */
  get lastIndex(): bigint {
    return this.acceptedLastIndex
  }

  /** Paths of the segment files on disk, oldest first. */
  segmentFiles(): string[] {
    return this.segments.map((segment) => segment.path)
  }

  append(entries: WalEntry[], hardState?: HardState): Promise<void> {
    if (this.state !== 'open') return Promise.reject(Errors.stopped())
    if (this.failure) return Promise.reject(this.failure)
    this.stats.appends++
    if (entries.length === 0 && !hardState) return this.whenQueueDurable()
    try {
      this.checkIndexes(entries)
    } catch (error) {
      return Promise.reject(error as Error)
    }
    if (entries.length > 0) this.acceptedLastIndex = entries[entries.length - 1].index
    const records = encodeRecords(entries, hardState)
    return new Promise<void>((resolve, reject) => {
      const pending: PendingAppend = {
        records,
        bytes: records.length,
        entryCount: entries.length,
        lastIndex: entries.length > 0 ? entries[entries.length - 1].index : undefined,
        hardState,
        resolve,
        reject,
      }
      if (this.waiting.length === 0 && this.fits(pending)) this.enqueue(pending)
      else this.waiting.push(pending)
      this.kick()
    })
  }

  /** Raft's log rules: consecutive indexes, the first at most one past the last accepted. A caller bug if broken. */
  private checkIndexes(entries: WalEntry[]): void {
    if (entries.length === 0) return
    const first = entries[0].index
    assert.ok(first >= 1n, `wal: entry index ${first} must be at least 1`)
    assert.ok(first <= this.acceptedLastIndex + 1n, `wal: entry index ${first} would leave a gap after the last index ${this.acceptedLastIndex}`)
    for (let i = 1; i < entries.length; i++) {
      assert.equal(entries[i].index, entries[i - 1].index + 1n, 'wal: entries of one append must have consecutive indexes')
    }
  }

  /** Removes whole segments whose entries are all <= index, oldest first; never the segment being written. */
  releaseTo(index: bigint): Promise<void> {
    if (this.state === 'closed') return Promise.reject(Errors.stopped())
    const run = this.releasing.then(async () => {
      // Only a prefix of the sequence may go, so the rest stays unbroken if we stop half-way.
      while (this.segments.length > 1 && this.segments[0].maxIndex <= index) {
        const segment = this.segments.shift()!
        await unlink(segment.path)
        // One directory sync per removal: a crash can never leave a later segment removed and an earlier one present.
        await syncDir(this.dir)
        this.stats.dirSyncs++
        this.stats.segmentsRemoved++
      }
    })
    this.releasing = run.catch(() => undefined)
    return run
  }

  /** Waits for the pending appends to be durable, then closes the files. Appends after this fail with `server stopped`. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.closeOnce()
    return this.closing
  }

  /** Bytes in the segment being written. */
  get tailBytes(): number {
    return this.tail.sizeBytes
  }

  /**
   * Closes the segment being written (if it holds entries) and starts a new one, so releaseTo can
   * remove all of the old one. For a caller that has stopped appending, e.g. a member closing, so
   * the next open replays almost nothing.
   */
  async cutSegment(): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.state !== 'open') throw Errors.stopped()
    if (this.tail.segment.maxIndex < this.tail.segment.firstIndex) return
    await this.rotate()
  }

  /** Starts a new segment whose first entry will be `firstIndex`. Only for openWal, before any append. */
  async startSegmentAt(firstIndex: bigint): Promise<void> {
    assert.ok(!this.flushing && this.queue.length === 0, 'wal: startSegmentAt only before appending')
    this.acceptedLastIndex = firstIndex - 1n
    this.writtenLastIndex = firstIndex - 1n
    await this.rotate()
  }

  /**
   * Continues the log at `firstIndex` in a new segment, after the caller installed a snapshot
   * at firstIndex - 1 that the entries written so far do not reach (and recorded it first:
   * replay accepts the jump only for a fromIndex that covers it). Waits for appends in flight;
   * the caller makes no new append until this resolves. Entries written so far that go past
   * the snapshot stay: they are replaced, as any conflicting suffix, by the next append.
   */
  async restartAt(firstIndex: bigint): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.state !== 'open') throw Errors.stopped()
    if (this.failure) throw this.failure
    assert.ok(this.queue.length === 0 && this.waiting.length === 0, 'wal: restartAt with appends queued')
    if (this.writtenLastIndex >= firstIndex - 1n) return
    this.acceptedLastIndex = firstIndex - 1n
    this.writtenLastIndex = firstIndex - 1n
    await this.rotate()
  }

  private async closeOnce(): Promise<void> {
    this.state = 'closing'
    while (this.flushing) await this.flushing
    await this.releasing
    this.state = 'closed'
    // a closed log's files end where their records do (a failed log may not take the truncate)
    if (this.failure === undefined) await this.trimTail()
    while (this.growing) await this.growing
    await this.tail.handle.close()
  }

  private fits(pending: PendingAppend): boolean {
    if (this.queue.length === 0) return true // an oversized append goes alone
    return (
      this.queuedBytes + pending.bytes <= this.limits.maxQueueBytes &&
      this.queuedEntries + pending.entryCount <= this.limits.maxQueueEntries
    )
  }

  private enqueue(pending: PendingAppend): void {
    this.queue.push(pending)
    this.queuedBytes += pending.bytes
    this.queuedEntries += pending.entryCount
  }

  /** An append with nothing to write resolves once everything accepted before it is durable. */
  private whenQueueDurable(): Promise<void> {
    if (!this.flushing && this.queue.length === 0 && this.waiting.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const pending: PendingAppend = {records: noRecords, bytes: 0, entryCount: 0, lastIndex: undefined, hardState: undefined, resolve, reject}
      if (this.waiting.length === 0 && this.fits(pending)) this.enqueue(pending)
      else this.waiting.push(pending)
      this.kick()
    })
  }

  /**
   * Makes the log start what it can once the current synchronous run is over: appends made in
   * the same run (a loop of appenders, or a caller's several appends before it awaits) share one
   * batch. A microtask, not a turn of the event loop: the disk should not wait for other work.
   */
  private kick(): void {
    if (this.flushing === undefined) this.flushing = new Promise<void>((resolve) => (this.settleFlushing = resolve))
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    // With nothing on its way to disk and a disk that answers quickly, the batch is written on
    // this thread (see startWrite), once the event loop has read everything that came in this
    // turn: every caller of the turn shares the write. Otherwise the write starts at once.
    const limitMs = this.limits.inlineWriteMaxMs
    if (limitMs > 0 && this.inFlight.length === 0 && this.lastWriteMs <= limitMs) setImmediate(this.pumpInline)
    else queueMicrotask(this.pumpNow)
  }

  private readonly pumpNow = () => this.pump(false)
  private readonly pumpInline = () => this.pump(true)

  /**
   * Starts writes while some are queued and fewer than maxWritesInFlight are on their way;
   * settles `flushing` once nothing is left to do. A batch that needs a new segment or more
   * grown space waits until no write is in flight, and then for that room. `inline`: the first
   * write may be made on this thread (see kick).
   */
  private pump(inline: boolean): void {
    this.pumpScheduled = false
    while (this.failure === undefined && !this.makingRoom && this.queue.length > 0 && this.inFlight.length < this.limits.maxWritesInFlight) {
      const bytes = batchRecordBytes + this.queuedBytes
      if (this.needsRoom(bytes)) {
        if (this.inFlight.length === 0) {
          this.makingRoom = true
          this.makeRoom(bytes).then(
            () => {
              this.makingRoom = false
              this.pump(false)
            },
            (error: Error) => {
              this.makingRoom = false
              this.fail(error)
            },
          )
        }
        break
      }
      this.startWrite(this.takeQueue(), inline && this.inFlight.length === 0)
    }
    if (this.inFlight.length === 0 && !this.makingRoom && (this.queue.length === 0 || this.failure !== undefined)) {
      const settle = this.settleFlushing
      this.flushing = undefined
      this.settleFlushing = undefined
      settle?.()
    }
  }

  /**
   * A write settled: hands the leading durable writes to their appenders, in write order
   * (whichever write the disk finished first). The next write starts before the appenders hear
   * back, so their work (applying, answering, appending again) runs while the disk works
   * instead of between two writes.
   */
  private writeSettled(): void {
    const durable: PendingAppend[][] = []
    while (this.inFlight.length > 0 && this.inFlight[0].state === 'durable') {
      const write = this.inFlight.shift()!
      this.written(write.batch)
      durable.push(write.batch)
    }
    const failed = this.inFlight.length > 0 && this.inFlight[0].state === 'failed' ? this.inFlight[0].error : undefined
    if (failed !== undefined) this.fail(failed)
    else this.pump(false)
    for (const batch of durable) for (const pending of batch) pending.resolve()
  }

  /** Takes everything queued as the next batch, and lets waiting appends into the queue, in order. */
  private takeQueue(): PendingAppend[] {
    const batch = this.queue
    this.queue = []
    this.queuedBytes = 0
    this.queuedEntries = 0
    while (this.waiting.length > 0 && this.fits(this.waiting[0])) this.enqueue(this.waiting.shift()!)
    return batch
  }

  /** Whether a batch of `bytes` needs a new segment or more grown space first. */
  private needsRoom(bytes: number): boolean {
    const tail = this.tail
    return (tail.appendBatches > 0 && tail.sizeBytes + bytes > this.limits.segmentBytes) || tail.sizeBytes + bytes > tail.allocatedBytes
  }

  /** Starts a new segment if a batch of `bytes` would take this one past its size, and grows it to hold the batch. Only with no write in flight. */
  private async makeRoom(bytes: number): Promise<void> {
    while (this.growing) await this.growing
    if (this.tail.appendBatches > 0 && this.tail.sizeBytes + bytes > this.limits.segmentBytes) await this.rotate()
    if (this.tail.sizeBytes + bytes > this.tail.allocatedBytes) await this.growTail(this.tail.sizeBytes + bytes)
  }

  /**
   * Starts the write of `batch` at the end of the segment (the caller made room for it). Its
   * batch record says where the oldest write still in flight starts, if any (see BatchHeader).
   */
  private startWrite(batch: PendingAppend[], inline: boolean): void {
    const position = this.tail.sizeBytes
    const write: WriteInFlight = {batch, position, state: 'writing', error: undefined}
    this.inFlight.push(write)
    let recordsBytes = 0
    for (const pending of batch) recordsBytes += pending.bytes
    if (recordsBytes === 0) {
      // only empty appends waiting for what came before them: nothing to write
      write.state = 'durable'
      queueMicrotask(() => this.writeSettled())
      return
    }
    const parts = [encodeBatch(recordsBytes, this.inFlight[0].position)]
    for (const pending of batch) if (pending.bytes > 0) parts.push(pending.records)
    const buf = Buffer.concat(parts)
    assert.ok(position + buf.length <= this.tail.allocatedBytes, 'wal: a write past the space grown for it')
    this.tail.sizeBytes += buf.length
    this.tail.appendBatches++
    this.growAheadInBackground()
    const syncStart = performance.now()
    const settled = (error: Error | null) => {
      if (error !== null) {
        write.state = 'failed'
        write.error = error
        this.writeSettled()
        return
      }
      // durable on return (O_DSYNC)
      const tookMs = performance.now() - syncStart
      // A write through the pool also waited for the pool's thread and for this one: on a busy
      // machine that says nothing of the disk, so it only ever lowers the figure (a fast answer
      // shows a fast disk); a write on this thread measures the disk alone.
      this.lastWriteMs = inline ? tookMs : Math.min(this.lastWriteMs, tookMs)
      this.syncObserver?.(tookMs / 1000)
      this.stats.batches++
      this.stats.fileSyncs++
      this.stats.bytesWritten += buf.length
      write.state = 'durable'
      this.writeSettled()
    }
    if (inline) {
      // The pool's hand-off costs about as much CPU as the write itself (a futex wake there, an
      // eventfd wake back, two thread switches) and adds ~50 us to the wait it saves nobody from.
      let error: Error | null = null
      try {
        writeFullySync(this.tail.handle.fd, buf, position)
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(String(caught))
      }
      this.stats.inlineWrites++
      // settled after the caller's own run, as the pool's answer would be
      queueMicrotask(() => settled(error))
      return
    }
    writeFullyThen(this.tail.handle.fd, buf, position, settled)
  }

  /** Records what a durable batch wrote, in write order. */
  private written(batch: PendingAppend[]): void {
    for (const pending of batch) {
      if (pending.lastIndex !== undefined) {
        this.writtenLastIndex = pending.lastIndex
        if (pending.lastIndex > this.tail.segment.maxIndex) this.tail.segment.maxIndex = pending.lastIndex
      }
      if (pending.hardState) this.hardState = pending.hardState
    }
  }

  /**
   * A write failed (or the room for one could not be made): what is on disk is unknown from its
   * batch on. Fail it, every write in flight and everything queued, and refuse more. `flushing`
   * settles once the writes still on their way have (the file is closed after it).
   */
  private fail(error: Error): void {
    this.failure ??= error
    const rest = [...this.inFlight.flatMap((write) => write.batch.splice(0)), ...this.queue, ...this.waiting.splice(0)]
    this.queue = []
    this.queuedBytes = 0
    this.queuedEntries = 0
    for (const pending of rest) pending.reject(error)
    // Writes still on their way keep the log busy (with no appends left to answer) until they settle.
    const stillWriting = this.inFlight.filter((write) => write.state === 'writing')
    this.inFlight.length = 0
    this.inFlight.push(...stillWriting)
    this.pump(false)
  }

  /**
   * Once less than half the grown-ahead space is left, grows the segment by another step while
   * batches go on being written below it, so a write seldom waits for a grow (a write that
   * changes the file's size costs a journal commit; this one is off the writers' path). A failed
   * grow only leaves zeros or nothing past the data: growTail tries again when room is needed.
   */
  private growAheadInBackground(): void {
    const tail = this.tail
    if (this.growing !== undefined || this.failure !== undefined) return
    if (tail.allocatedBytes - tail.sizeBytes >= growAheadBytes / 2 || tail.allocatedBytes >= this.limits.segmentBytes) return
    const from = tail.allocatedBytes
    const length = Math.min(growAheadBytes, this.limits.segmentBytes - from)
    this.growing = writeFully(tail.handle, zeroChunk.subarray(0, length), from) // durable on return (O_DSYNC)
      .then(
        () => {
          tail.allocatedBytes = Math.max(tail.allocatedBytes, from + length)
          this.stats.fileSyncs++
          this.stats.growWrites++
        },
        () => undefined,
      )
      .finally(() => (this.growing = undefined))
  }

  /** Grows the segment being written with zeros to hold at least `bytes` and some room beyond. */
  private async growTail(bytes: number): Promise<void> {
    const tail = this.tail
    const target = Math.max(bytes, Math.min(tail.sizeBytes + growAheadBytes, this.limits.segmentBytes))
    while (tail.allocatedBytes < target) {
      const length = Math.min(target - tail.allocatedBytes, zeroChunk.length)
      await writeFully(tail.handle, zeroChunk.subarray(0, length), tail.allocatedBytes) // durable on return (O_DSYNC)
      tail.allocatedBytes += length
      this.stats.fileSyncs++
      this.stats.growWrites++
    }
  }

  /**
   * Cuts the zeros grown ahead off the segment being written, durably: only the last segment
   * may end in them, so this comes before another segment follows it.
   */
  private async trimTail(): Promise<void> {
    // a grow still writing would lengthen the file again after the cut
    while (this.growing) await this.growing
    const tail = this.tail
    if (tail.allocatedBytes === tail.sizeBytes) return
    await tail.handle.truncate(tail.sizeBytes)
    await tail.handle.datasync()
    this.stats.fileSyncs++
    tail.allocatedBytes = tail.sizeBytes
  }

  /** Starts the next segment and makes it the one written. The old one is already synced. */
  private async rotate(): Promise<void> {
    await this.trimTail()
    const firstIndex = this.writtenLastIndex + 1n
    const segment: SegmentInfo = {sequence: this.tail.segment.sequence + 1n, firstIndex, path: '', maxIndex: firstIndex - 1n}
    const tail = await createSegment(this.dir, segment, this.hardState, this.stats)
    const old = this.tail
    this.segments.push(segment)
    this.tail = tail
    await old.handle.close()
  }
}

const noRecords = Buffer.alloc(0)
