// Key-range permissions as etcd's auth store checks them (auth/range_perm_cache.go).
//
// A permission covers:
//   range_end empty     the single key `key`
//   range_end "\x00"    every key >= key (open ended)
//   otherwise           [key, range_end)
// A request is allowed when the union of the caller's permissions of the needed type covers
// the whole request: its one key, or every key of [key, range_end) (range_end "\x00" = to the
// end of the key space). Byte strings compare as etcd's BytesAffineComparable: bytewise, except
// that the empty string is past every key (+infinity).
import {Permission_Type, type Permission} from '../../api/proto/auth.js'

/** The two kinds of access a request needs; READWRITE grants both. */
export type Access = 'read' | 'write'

/** [begin, end) with `end` undefined = +infinity. */
interface Interval {
  begin: Buffer
  end: Buffer | undefined
}

const ZERO = Buffer.from([0])

/** etcd's BytesAffineComparable.Compare: an empty byte string is +infinity. */
function compareAffine(a: Buffer | undefined, b: Buffer | undefined): number {
  const aInf = a === undefined || a.length === 0
  const bInf = b === undefined || b.length === 0
  if (aInf) return bInf ? 0 : 1
  if (bInf) return -1
  return Buffer.compare(a, b)
}

export function grants(perm: Permission, access: Access): boolean {
  if (perm.permType === Permission_Type.READWRITE) return true
  return access === 'read' ? perm.permType === Permission_Type.READ : perm.permType === Permission_Type.WRITE
}

/** The interval a permission covers (a single key is [key, key+"\x00")). */
function permInterval(perm: Permission): Interval {
  if (perm.rangeEnd.length === 0) return {begin: perm.key, end: Buffer.concat([perm.key, ZERO])}
  if (perm.rangeEnd.length === 1 && perm.rangeEnd[0] === 0) return {begin: perm.key, end: undefined}
  return {begin: perm.key, end: perm.rangeEnd}
}

/**
 * Whether `perms` (every permission of every role of the caller) allow `access` to `key`
 * (rangeEnd empty) or to [key, rangeEnd) (rangeEnd "\x00": every key >= key).
 */
export function isRangePermitted(perms: readonly Permission[], key: Buffer, rangeEnd: Buffer, access: Access): boolean {
  const intervals = perms.filter((perm) => grants(perm, access)).map(permInterval)
  if (rangeEnd.length === 0) {
    // A point: some permission contains it.
    return intervals.some((ivl) => compareAffine(ivl.begin, key) <= 0 && compareAffine(key, ivl.end) < 0)
  }
  const wanted: Interval = {begin: key, end: rangeEnd.length === 1 && rangeEnd[0] === 0 ? undefined : rangeEnd}
  return covers(intervals, wanted)
}

/** Whether the union of `intervals` contains all of `wanted`. */
function covers(intervals: Interval[], wanted: Interval): boolean {
  intervals.sort((a, b) => compareAffine(a.begin, b.begin))
  let reached: Buffer | undefined = wanted.begin // covered so far: [wanted.begin, reached)
  for (const ivl of intervals) {
    if (compareAffine(ivl.begin, reached) > 0) break // a gap before this interval
    if (compareAffine(ivl.end, reached) > 0) reached = ivl.end
    if (compareAffine(reached, wanted.end) >= 0) return true
  }
  return compareAffine(reached, wanted.end) >= 0
}

/**
 * Orders a role's permissions as etcd 3.4 leaves them: by key, a new permission placed after
 * those with an equal key (Go's sort.Sort on few elements is an insertion sort, so it keeps
 * equal keys in their order; beyond 12 we keep that same stable order).
 */
export function sortPermissions(perms: Permission[]): void {
  for (let i = 1; i < perms.length; i++) {
    for (let j = i; j > 0 && Buffer.compare(perms[j]!.key, perms[j - 1]!.key) < 0; j--) {
      const swap = perms[j]!
      perms[j] = perms[j - 1]!
      perms[j - 1] = swap
    }
  }
}
