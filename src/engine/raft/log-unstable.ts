// The part of the log not yet on stable storage: an incoming snapshot and/or entries after
// it, as etcd's unstable. The driver persists them from a Ready; advance() then calls
// stableTo / stableSnapTo so they are dropped here and read from storage instead.
//
// Invariant: entries[i].index === offset + i; when there is a snapshot, offset is its index + 1.
import {invariant} from './assert.js'
import type {Entry, Snapshot} from './types.js'

export class Unstable {
  snapshot: Snapshot | undefined = undefined
  entries: Entry[] = []
  offset: number

  constructor(offset: number) {
    this.offset = offset
  }

  /** Index of the first entry the unstable snapshot accounts for (its index + 1). */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    if (this.snapshot !== undefined) return this.snapshot.metadata.index
    return undefined
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.metadata.index === index) return this.snapshot.metadata.term
      return undefined
    }
    const last = this.maybeLastIndex()
    if (last === undefined || index > last) return undefined
    return this.entries[index - this.offset]!.term
  }

  /** Entries up to index with term `term` are on stable storage. */
  stableTo(index: number, term: number): void {
    const t = this.maybeTerm(index)
    if (t === undefined) return
    // Only if the entry was not replaced by a newer leader's meanwhile.
    if (t === term && index >= this.offset) {
      this.entries = this.entries.slice(index + 1 - this.offset)
      this.offset = index + 1
    }
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === index) this.snapshot = undefined
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1
    this.entries = []
    this.snapshot = snapshot
  }

  truncateAndAppend(entries: Entry[]): void {
    const after = entries[0]!.index
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(entries)
    } else if (after <= this.offset) {
      // Replaces everything unstable.
      this.offset = after
      this.entries = entries.slice()
    } else {
      this.entries = this.slice(this.offset, after).concat(entries)
    }
  }

  /** Entries in [lo, hi). */
  slice(lo: number, hi: number): Entry[] {
    invariant(lo <= hi, () => `invalid unstable.slice ${lo} > ${hi}`)
    const upper = this.offset + this.entries.length
    invariant(lo >= this.offset && hi <= upper, () => `unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper}]`)
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
