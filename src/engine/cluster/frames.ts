// Length-prefixed frames on a byte stream: a 4-byte big-endian length, then that many bytes.
// The reader takes chunks as they arrive and hands out whole frames; a frame above its limit
// is a protocol error (the peer is cut off rather than buffered without bound).

export function frame(payload: Uint8Array): Buffer {
  return frames([payload])
}

/** Several payloads framed back to back in one buffer (one socket write instead of a corked few). */
export function frames(payloads: Uint8Array[]): Buffer {
  let bytes = 0
  for (const payload of payloads) bytes += 4 + payload.length
  const out = Buffer.allocUnsafe(bytes)
  let at = 0
  for (const payload of payloads) {
    out.writeUInt32BE(payload.length, at)
    out.set(payload, at + 4)
    at += 4 + payload.length
  }
  return out
}

export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0

  constructor(private maxFrameBytes: number) {}

  /** Lowers the limit (a stream that turns out to carry smaller frames). */
  limit(maxFrameBytes: number): void {
    this.maxFrameBytes = Math.min(this.maxFrameBytes, maxFrameBytes)
  }

  /** Adds a chunk; returns the frames it completed, in order. Throws on a frame above the limit. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const frames: Buffer[] = []
    for (;;) {
      if (this.buffered < 4) break
      const head = this.peek(4)
      const length = head.readUInt32BE(0)
      if (length > this.maxFrameBytes) throw new Error(`peer frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`)
      if (this.buffered < 4 + length) break
      const whole = this.take(4 + length)
      frames.push(whole.subarray(4))
    }
    return frames
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)]
    return this.chunks[0]!
  }

  private take(n: number): Buffer {
    const first = this.peek(n)
    const out = first.subarray(0, n)
    if (first.length === n) this.chunks.shift()
    else this.chunks[0] = first.subarray(n)
    this.buffered -= n
    return out
  }
}
