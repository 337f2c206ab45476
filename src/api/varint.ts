// Protobuf's base-128 varints for non-negative numbers below 2^53, for the places that write
// wire bytes by hand (the key-index checkpoint, watch responses encoded once for many watchers).

/** Bytes `n` takes as a varint. */
export function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

/** Writes `n` as a varint at `pos`; returns the position after it. */
export function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  out[pos++] = n
  return pos
}
