// A bounded cache of decoded revisions. A stored revision never changes (compaction only
// removes revisions no read can reach any more), so a cached copy is never stale; the cache
// spares the backend lookup and the decode on hot keys. It has two generations: when the
// young one passes half the byte budget, the old one is dropped and the young one becomes
// old; a hit in the old generation moves the entry back to the young one. Callers must not
// mutate the returned buffers.
import type {StoredKv} from './kv-codec.js'

const SUB_SLOTS = 2 ** 16
/** Revisions whose packed number would not be exact are simply not cached. */
const MAX_CACHEABLE_MAIN = Math.floor(Number.MAX_SAFE_INTEGER / SUB_SLOTS)
/** Per-entry overhead counted on top of key and value bytes. */
const ENTRY_OVERHEAD_BYTES = 160

export class RevisionCache {
  private young = new Map<number, StoredKv>()
  private old = new Map<number, StoredKv>()
  private youngBytes = 0

  constructor(private readonly budgetBytes: number) {}

  private static slot(main: number, sub: number): number {
    return sub < SUB_SLOTS && main <= MAX_CACHEABLE_MAIN ? main * SUB_SLOTS + sub : -1
  }

  get(main: number, sub: number): StoredKv | undefined {
    const slot = RevisionCache.slot(main, sub)
    if (slot < 0) return undefined
    const hit = this.young.get(slot)
    if (hit !== undefined) return hit
    const oldHit = this.old.get(slot)
    if (oldHit !== undefined) this.insert(slot, oldHit)
    return oldHit
  }

  add(main: number, sub: number, kv: StoredKv): void {
    const slot = RevisionCache.slot(main, sub)
    if (slot >= 0 && !this.young.has(slot)) this.insert(slot, kv)
  }

  private insert(slot: number, kv: StoredKv): void {
    const size = kv.key.length + kv.value.length + ENTRY_OVERHEAD_BYTES
    if (size > this.budgetBytes / 8) return
    if (this.youngBytes + size > this.budgetBytes / 2) {
      this.old = this.young
      this.young = new Map()
      this.youngBytes = 0
    }
    this.young.set(slot, kv)
    this.youngBytes += size
  }
}
