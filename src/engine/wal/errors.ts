// The log found damage it must not paper over: a bad record before the tail, a missing
// segment, an index gap. Serving the log anyway could lose or invent acknowledged writes, so
// opening fails and a person decides (restore from a snapshot or a peer).
export class WalCorruptError extends Error {
  constructor(
    /** The segment file (full path), or the log directory for damage across files. */
    readonly file: string,
    /** Byte offset of the damage in `file`, when it is in one place. */
    readonly offset: number | undefined,
    readonly reason: string,
  ) {
    super(`wal: corrupt log: ${file}${offset === undefined ? '' : ` at byte offset ${offset}`}: ${reason}`)
    this.name = 'WalCorruptError'
  }
}
