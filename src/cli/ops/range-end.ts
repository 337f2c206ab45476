// Key ranges as etcd's client builds them: ranges are [key, rangeEnd); rangeEnd "\0" means
// "every key >= key"; an empty key with --prefix or --from-key means the whole keyspace.

const ZERO = Buffer.from([0])

/** The smallest key greater than every key starting with `prefix` ("\0" when none exists). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1
      return end.subarray(0, i + 1)
    }
  }
  // every byte is 0xff: no key is greater than all of them, so range to the end
  return Buffer.from(ZERO)
}

/** `--prefix` / `--from-key` applied to a key: the [key, rangeEnd) etcdctl sends. */
export function keyRange(key: Buffer, mode: {prefix: boolean; fromKey: boolean}): {key: Buffer; rangeEnd?: Buffer} {
  if (mode.prefix) {
    if (key.length === 0) return {key: Buffer.from(ZERO), rangeEnd: Buffer.from(ZERO)}
    return {key, rangeEnd: prefixEnd(key)}
  }
  if (mode.fromKey) return {key: key.length === 0 ? Buffer.from(ZERO) : key, rangeEnd: Buffer.from(ZERO)}
  return {key}
}
