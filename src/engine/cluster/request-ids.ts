// Request ids as etcd's idutil makes them: unique across members and restarts without
// coordination. The top 16 bits are the low 16 bits of the member id, the next 40 the
// millisecond clock at start, the last 8 a counter that carries into the clock bits.
export class RequestIds {
  private readonly prefix: bigint
  private suffix: bigint

  constructor(memberId: bigint, nowMs: number) {
    this.prefix = (memberId & 0xffffn) << 48n
    this.suffix = (BigInt(Math.floor(nowMs)) & 0xff_ffff_ffffn) << 8n
  }

  next(): bigint {
    this.suffix = (this.suffix + 1n) & 0xffff_ffff_ffff_ffn
    return this.prefix | this.suffix
  }
}
