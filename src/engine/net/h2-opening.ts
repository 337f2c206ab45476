// The opening of a gRPC connection, read before it is handed to the HTTP/2 server, to choose
// how the server reads it.
//
// The `:authority` fix-up (h2-authority.ts) is a JavaScript stream under the HTTP/2 session:
// every read and write of the connection crosses into JavaScript, and Node's JS-stream socket
// reports each write done a turn of the event loop later (setImmediate), so nghttp2 sends an
// answer's trailers one turn after its message. Most clients never need it: gRPC-Go sends one
// `:authority` for every call of a connection (its ClientConn's), and only etcdctl dialing by
// URL puts a '/' in it. So the first request's header block decides: without a '/' the HTTP/2
// server reads the socket itself (natively); with one, or when the opening cannot be read, the
// connection goes through the fix-up as before.
//
// gRPC-Go sends no request before the server's connection preface (a SETTINGS frame), and
// nghttp2 sends that only once it has the socket, so the server's preface is sent here: an
// empty SETTINGS frame (every setting at its default; nghttp2's own SETTINGS follow as a second
// frame, which HTTP/2 allows at any time). The client acknowledges it, and that ACK is taken out
// of the bytes handed on: nghttp2 never sent those settings, and would take an ACK of them for
// a protocol error.
//
// A client may connect well before its first call (a pool dialled at start-up, a load
// generator waiting for its peers), and a connection handed to the fix-up runs through it for
// its whole life, so the opening waits for that call: up to 10 s (mux.ts).
// Meanwhile the client's keep-alive PINGs are answered here (and not handed on), so a client
// that checks its connection while idle keeps it. Its SETTINGS are acknowledged only by
// nghttp2, after the hand-over: the wait is bounded for a client that gives up on an
// unacknowledged SETTINGS (HTTP/2 lets it), which then gets the fix-up as before.
import {AuthorityRewriter} from './h2-authority.js'

const prefaceBytes = 24
const frameHeaderBytes = 9
const typeHeaders = 0x1
const typeSettings = 0x4
const typePing = 0x6
const pingPayloadBytes = 8
const flagAck = 0x1
const flagEndHeaders = 0x4
const flagPadded = 0x8
const flagPriority = 0x20
/** Beyond this many bytes of opening without a decision, the connection takes the fix-up. */
const maxOpeningBytes = 256 * 1024

/** The server's connection preface sent here: an empty SETTINGS frame. */
export const serverPreface = Buffer.from([0, 0, 0, typeSettings, 0, 0, 0, 0, 0])

/** How the HTTP/2 server is to read the connection. */
export type OpeningVerdict = 'native' | 'fix-authority'

/**
 * Reads a connection's first bytes (from the client preface on) until its first request's
 * header block is seen and the client has acknowledged serverPreface.
 */
export class ConnectionOpening {
  /** Complete frames to hand on (the preface first), without the ACK of serverPreface. */
  private readonly kept: Buffer[] = []
  private pending: Buffer = Buffer.alloc(0)
  private prefaceLeft = prefaceBytes
  private received = 0
  /** Whether the client's ACK of serverPreface has come (and been dropped). */
  ackSeen = false
  verdict: OpeningVerdict | undefined

  /** @param reply writes a frame back to the client (the ACK of a PING received in the opening). */
  constructor(private readonly reply: (frame: Buffer) => void = () => undefined) {}

  /** Takes more of the connection; true once it can be handed on (verdict and ACK both in). */
  push(chunk: Buffer): boolean {
    this.received += chunk.length
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    if (this.prefaceLeft > 0) {
      const take = Math.min(this.prefaceLeft, this.pending.length)
      this.kept.push(this.pending.subarray(0, take))
      this.pending = this.pending.subarray(take)
      this.prefaceLeft -= take
    }
    while (this.pending.length >= frameHeaderBytes) {
      const length = this.pending.readUIntBE(0, 3)
      if (this.pending.length < frameHeaderBytes + length) break
      const frame = this.pending.subarray(0, frameHeaderBytes + length)
      this.pending = this.pending.subarray(frameHeaderBytes + length)
      this.onFrame(frame)
    }
    if (this.verdict === undefined && this.received > maxOpeningBytes) this.verdict = 'fix-authority'
    return this.ready
  }

  get ready(): boolean {
    return this.verdict !== undefined && this.ackSeen
  }

  /** Everything read so far, in order, less the ACK of serverPreface. */
  bytes(): Buffer {
    return Buffer.concat([...this.kept, this.pending])
  }

  private onFrame(frame: Buffer): void {
    const type = frame[3]!
    const flags = frame[4]!
    if (type === typeSettings && flags & flagAck && !this.ackSeen) {
      this.ackSeen = true
      return
    }
    if (type === typePing && (flags & flagAck) === 0 && frame.length === frameHeaderBytes + pingPayloadBytes && this.verdict === undefined) {
      const ack = Buffer.from(frame)
      ack[4] = flagAck
      this.reply(ack)
      return
    }
    this.kept.push(frame)
    if (type === typeHeaders && this.verdict === undefined) this.verdict = verdictOf(frame, flags)
  }
}

/** 'native' for a first header block, whole in its HEADERS frame, whose :authority holds no '/'. */
function verdictOf(frame: Buffer, flags: number): OpeningVerdict {
  // a block continued in CONTINUATION frames is rare enough to leave to the fix-up
  if ((flags & flagEndHeaders) === 0) return 'fix-authority'
  let payload = frame.subarray(frameHeaderBytes)
  let padding = 0
  if (flags & flagPadded) {
    padding = payload[0]!
    payload = payload.subarray(1)
  }
  if (flags & flagPriority) payload = payload.subarray(5)
  if (padding > payload.length) return 'fix-authority'
  const block = payload.subarray(0, payload.length - padding)
  try {
    // the first block meets an empty dynamic table on both sides: a fresh rewriter sees it as
    // nghttp2 will, and leaves it as it is exactly when no :authority needs the fix
    return new AuthorityRewriter().rewrite(block) === block ? 'native' : 'fix-authority'
  } catch {
    return 'fix-authority'
  }
}
