// The revision history of one key, as etcd's keyIndex: a list of generations, each the
// revisions of one life of the key from its creation to its deletion (the tombstone is the
// last revision of a generation). The last generation is the current life; it is empty when
// the key is deleted. A revision is held as two numbers (main, sub) laid flat in the array.
//
// Memory matters (an index of a million keys): the common case, a key with one live
// generation of one revision, is held as a bare number instead of an object (see
// `packSingle`). Every function here takes and returns the `KeyEntry` union, never mutating
// a number in place.
import assert from 'node:assert/strict'

/** Subs below this fit in a packed single revision (a txn rarely writes more keys). */
const PACKED_SUB_LIMIT = 2 ** 16
/** Mains up to this fit in a packed single revision with the number staying exact. */
const PACKED_MAIN_LIMIT = Math.floor(Number.MAX_SAFE_INTEGER / PACKED_SUB_LIMIT) - 1

/**
 * A key with exactly one revision, live, as one number: `main` itself when sub is 0 (a small
 * integer V8 keeps unboxed), else -(main * 2^16 + sub) - 1. Undefined if it does not fit.
 */
export function packSingle(main: number, sub: number): number | undefined {
  if (sub === 0) return main
  if (sub >= PACKED_SUB_LIMIT || main > PACKED_MAIN_LIMIT) return undefined
  return -(main * PACKED_SUB_LIMIT + sub) - 1
}

export function singleMain(entry: number): number {
  return entry >= 0 ? entry : Math.floor((-entry - 1) / PACKED_SUB_LIMIT)
}

export function singleSub(entry: number): number {
  return entry >= 0 ? 0 : (-entry - 1) % PACKED_SUB_LIMIT
}

export class KeyHistory {
  /** generations[i] = [main0, sub0, main1, sub1, …]; only the last may be empty. */
  constructor(readonly generations: number[][]) {}
}

export type KeyEntry = number | KeyHistory

/** The revision a lookup found: where the key's value lives in the backend. */
export interface FoundRevision {
  main: number
  sub: number
}

function toHistory(entry: KeyEntry): KeyHistory {
  return typeof entry === 'number' ? new KeyHistory([[singleMain(entry), singleSub(entry)]]) : entry
}

/** Records a put at (main, sub); `entry` undefined means the key has no history yet. */
export function putRevision(entry: KeyEntry | undefined, main: number, sub: number): KeyEntry {
  if (entry === undefined) return packSingle(main, sub) ?? new KeyHistory([[main, sub]])
  const history = toHistory(entry)
  const current = history.generations[history.generations.length - 1]
  assert.ok(current !== undefined)
  const [lastMainRev, lastSubRev] = lastRevision(history)
  assert.ok(main > lastMainRev || (main === lastMainRev && sub > lastSubRev), 'a put must follow every revision of its key')
  current.push(main, sub)
  return history
}

/** True if the key exists (its current generation is not empty). */
export function isLive(entry: KeyEntry): boolean {
  if (typeof entry === 'number') return true
  const gens = entry.generations
  return gens[gens.length - 1]!.length > 0
}

/** Records a delete at (main, sub) of a live key: the tombstone ends the current generation. */
export function tombstoneRevision(entry: KeyEntry, main: number, sub: number): KeyHistory {
  assert.ok(isLive(entry), 'only a live key can be deleted')
  const history = putRevision(entry, main, sub) as KeyHistory
  history.generations.push([])
  return history
}

function lastRevision(history: KeyHistory): [number, number] {
  for (let g = history.generations.length - 1; g >= 0; g--) {
    const revs = history.generations[g]!
    if (revs.length > 0) return [revs[revs.length - 2]!, revs[revs.length - 1]!]
  }
  return [0, -1]
}

/** The revision of the key's value as of store revision `atRev`, or undefined if it did not exist then. */
export function revisionAt(entry: KeyEntry, atRev: number): FoundRevision | undefined {
  if (typeof entry === 'number') {
    const main = singleMain(entry)
    return main <= atRev ? {main, sub: singleSub(entry)} : undefined
  }
  const gens = entry.generations
  const lastGen = gens.length - 1
  // etcd's findGeneration: the newest generation that began at or before atRev and, unless
  // it is the current one, had not yet been deleted at atRev.
  for (let g = lastGen; g >= 0; g--) {
    const revs = gens[g]!
    if (revs.length === 0) continue
    if (g !== lastGen && revs[revs.length - 2]! <= atRev) return undefined
    if (revs[0]! <= atRev) {
      for (let i = revs.length - 2; i >= 0; i -= 2) {
        if (revs[i]! <= atRev) return {main: revs[i]!, sub: revs[i + 1]!}
      }
      return undefined
    }
  }
  return undefined
}

/**
 * etcd's doCompact: the index of the first generation that still matters at atRev, and the
 * position (in pairs) of its newest revision <= atRev (-1 if none), which `onAvailable` sees.
 */
function findCompactPoint(history: KeyHistory, atRev: number): {genIdx: number; revIdx: number} {
  const gens = history.generations
  let genIdx = 0
  while (genIdx < gens.length - 1) {
    const revs = gens[genIdx]!
    if (revs[revs.length - 2]! > atRev) break
    genIdx++
  }
  const revs = gens[genIdx]!
  for (let i = revs.length - 2; i >= 0; i -= 2) {
    if (revs[i]! <= atRev) return {genIdx, revIdx: i / 2}
  }
  return {genIdx, revIdx: -1}
}

/**
 * Compacts the history at atRev as etcd's keyIndex.compact: drops every revision that no read
 * at a revision >= atRev can need. Dropped revisions are pushed to `removed` as
 * (main, sub, tombstone 0/1) triples. Returns the new entry, or undefined if nothing is left.
 */
export function compactEntry(entry: KeyEntry, atRev: number, removed: number[]): KeyEntry | undefined {
  if (typeof entry === 'number') return entry
  const gens = entry.generations
  const point = findCompactPoint(entry, atRev)
  const revIdx = point.revIdx
  let genIdx = point.genIdx
  const dropGenerations = (upTo: number): void => {
    for (let g = 0; g < upTo; g++) pushAll(gens[g]!, 0, true, removed)
  }
  const gen = gens[genIdx]!
  if (gen.length > 0) {
    if (revIdx !== -1) {
      pushAll(gen, 0, false, removed, revIdx * 2)
      gen.splice(0, revIdx * 2)
    }
    // A generation reduced to its tombstone alone is gone too.
    if (gen.length === 2 && genIdx !== gens.length - 1) {
      removed.push(gen[0]!, gen[1]!, 1)
      genIdx++
    }
  }
  dropGenerations(genIdx)
  const kept = gens.slice(genIdx)
  if (kept.length === 1 && kept[0]!.length === 0) return undefined
  if (kept.length === 1 && kept[0]!.length === 2) {
    const packed = packSingle(kept[0]![0]!, kept[0]![1]!)
    if (packed !== undefined) return packed
  }
  return new KeyHistory(kept)
}

/** Pushes revs[from, to) as triples; in a whole dropped generation the last is the tombstone. */
function pushAll(revs: number[], from: number, wholeGeneration: boolean, out: number[], to = revs.length): void {
  for (let i = from; i < to; i += 2) {
    const tombstone = wholeGeneration && i === revs.length - 2 ? 1 : 0
    out.push(revs[i]!, revs[i + 1]!, tombstone)
  }
}

/** etcd's keyIndex.keep: adds to `kept` the revisions a compaction at atRev would keep (as "main_sub"). */
export function keptRevisions(entry: KeyEntry, atRev: number, kept: Set<string>): void {
  if (typeof entry === 'number') {
    const main = singleMain(entry)
    if (main <= atRev) kept.add(`${main}_${singleSub(entry)}`)
    return
  }
  const gens = entry.generations
  const {genIdx, revIdx} = findCompactPoint(entry, atRev)
  if (revIdx === -1) return
  const gen = gens[genIdx]!
  // The newest revision <= atRev is kept unless it is the tombstone of a finished generation.
  if (revIdx === gen.length / 2 - 1 && genIdx !== gens.length - 1) return
  kept.add(`${gen[revIdx * 2]}_${gen[revIdx * 2 + 1]}`)
}

/** Every revision of the entry as (main, sub) pairs in order, for tests and checks. */
export function allRevisions(entry: KeyEntry): number[][] {
  if (typeof entry === 'number') return [[singleMain(entry), singleSub(entry)]]
  return entry.generations.map((g) => [...g])
}
