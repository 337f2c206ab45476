// A fault-injecting TCP proxy on the peer links of a test cluster. Each member advertises a
// proxy port (in --initial-cluster and --initial-advertise-peer-urls) and listens for peers on
// a port of its own; the proxy forwards one to the other. A peer stream carries messages one
// way only (transport.ts), and opens with a hello frame naming its sender, so the proxy knows
// the directed link (from → to) of every connection and can cut it.
//
// Two kinds of cut, as a network fails:
// - 'drop' (a firewall that rejects): the link's connections are reset, and new ones are
//   closed as soon as their hello names the link; the sender sees errors at once.
// - 'stall' (a silent partition): the link's connections stop moving bytes, new ones are held;
//   the sender sees nothing but silence. Healing lets the held bytes through, late, as TCP
//   retransmission would after the network comes back.
import {connect, createServer, type Server, type Socket} from 'node:net'

export type CutMode = 'drop' | 'stall'

interface Link {
  from: string
  to: string
}

/** One proxied connection: the member's stream in, the real listener's stream out. */
class Relay {
  private upstream: Socket | undefined
  private stalled = false
  private closed = false

  constructor(
    readonly link: Link,
    private readonly downstream: Socket,
    private readonly target: number,
    /** The bytes read before the link was known (the hello, maybe more). */
    private readonly head: Buffer,
    private readonly onClose: () => void,
  ) {}

  start(stalled: boolean): void {
    this.stalled = stalled
    this.downstream.on('close', () => this.close())
    this.downstream.pause()
    if (!stalled) this.open()
  }

  private open(): void {
    if (this.upstream !== undefined || this.closed) return
    const upstream = connect({host: '127.0.0.1', port: this.target, noDelay: true})
    this.upstream = upstream
    upstream.on('error', () => this.close())
    upstream.on('close', () => this.close())
    upstream.once('connect', () => {
      upstream.write(this.head)
      this.forward(this.downstream, upstream)
      this.forward(upstream, this.downstream)
    })
  }

  /** Copies src to dst, respecting back-pressure and the stall. */
  private forward(src: Socket, dst: Socket): void {
    src.on('data', (chunk: Buffer) => {
      if (!dst.write(chunk)) src.pause()
    })
    dst.on('drain', () => {
      if (!this.stalled) src.resume()
    })
    if (!this.stalled) src.resume()
  }

  stall(): void {
    this.stalled = true
    this.downstream.pause()
    this.upstream?.pause()
  }

  resume(): void {
    if (!this.stalled) return
    this.stalled = false
    if (this.upstream === undefined) {
      this.open()
      return
    }
    this.downstream.resume()
    this.upstream.resume()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.downstream.destroy()
    this.upstream?.destroy()
    this.onClose()
  }
}

export class PeerProxy {
  private readonly servers = new Map<string, Server>()
  /** Each member's proxy port (what the others dial) and real peer port. */
  private readonly ports = new Map<string, {proxy: number; real: number}>()
  /** Member names by their raft id in hex (as the hello names them). */
  private readonly names = new Map<string, string>()
  private readonly relays = new Set<Relay>()
  private readonly cuts = new Map<string, CutMode>()

  /** Listens for `name`'s peers on a free port, forwarding to `realPort`; resolves with the proxy port. */
  async add(name: string, realPort: number): Promise<number> {
    const server = createServer({noDelay: true}, (socket) => this.accept(name, socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    this.servers.set(name, server)
    const port = (server.address() as {port: number}).port
    this.ports.set(name, {proxy: port, real: realPort})
    return port
  }

  /** Tells the proxy which member a raft id is (ids are derived from the peer URLs). */
  name(memberIdHex: string, name: string): void {
    this.names.set(memberIdHex, name)
  }

  /**
   * Cuts `member` off: 'both' directions, only what it receives ('in') or only what it sends
   * ('out'), to and from every other member.
   */
  isolate(member: string, direction: 'both' | 'in' | 'out', mode: CutMode): void {
    for (const other of this.ports.keys()) {
      if (other === member) continue
      if (direction !== 'out') this.cut({from: other, to: member}, mode)
      if (direction !== 'in') this.cut({from: member, to: other}, mode)
    }
  }

  cut(link: Link, mode: CutMode): void {
    this.cuts.set(key(link), mode)
    for (const relay of [...this.relays]) {
      if (key(relay.link) !== key(link)) continue
      if (mode === 'drop') relay.close()
      else relay.stall()
    }
  }

  /** Every link works again; stalled bytes flow. */
  heal(): void {
    this.cuts.clear()
    for (const relay of this.relays) relay.resume()
  }

  async close(): Promise<void> {
    for (const relay of [...this.relays]) relay.close()
    await Promise.all([...this.servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }

  private accept(to: string, socket: Socket): void {
    socket.on('error', () => socket.destroy())
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      if (head.length < 4 || head.length < 4 + head.readUInt32BE(0)) return
      socket.removeListener('data', onData)
      let from: string | undefined
      try {
        const hello = JSON.parse(head.subarray(4, 4 + head.readUInt32BE(0)).toString('utf8')) as {from?: string}
        from = this.names.get(hello.from ?? '')
      } catch {
        // not a hello: forwarded as is, for the member to refuse
      }
      const link = {from: from ?? '?', to}
      const mode = this.cuts.get(key(link))
      if (mode === 'drop') {
        socket.destroy()
        return
      }
      const relay: Relay = new Relay(link, socket, this.ports.get(to)!.real, head, () => this.relays.delete(relay))
      this.relays.add(relay)
      relay.start(mode === 'stall')
    }
    socket.on('data', onData)
  }
}

function key(link: Link): string {
  return `${link.from}>${link.to}`
}
