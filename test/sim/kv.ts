// The small key-value state machine the simulated cluster replicates: put, get, delete and
// compare-and-set on string keys. Commands travel as entry data; the machine remembers the
// last operation number applied per client, so a proposal the network duplicated (and raft
// appended twice) takes effect once.

export type KvOp =
  | {kind: 'put'; key: string; value: string}
  | {kind: 'get'; key: string}
  | {kind: 'delete'; key: string}
  /** expected null: the key must be absent. */
  | {kind: 'cas'; key: string; expected: string | null; value: string}

/** put: null; get: the value or null; delete: whether the key existed; cas: whether it swapped. */
export type KvOutput = string | null | boolean

export interface KvCommand {
  client: number
  seq: number
  op: KvOp
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeCommand(cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd))
}

export function decodeCommand(data: Uint8Array): KvCommand {
  return JSON.parse(decoder.decode(data)) as KvCommand
}

export class KvStateMachine {
  private data = new Map<string, string>()
  private lastSeq = new Map<number, {seq: number; output: KvOutput}>()

  /** Applies a command; returns its output (a duplicate returns the first application's). */
  apply(cmd: KvCommand): KvOutput {
    const last = this.lastSeq.get(cmd.client)
    if (last !== undefined && cmd.seq <= last.seq) return last.output
    const output = this.execute(cmd.op)
    this.lastSeq.set(cmd.client, {seq: cmd.seq, output})
    return output
  }

  read(key: string): string | null {
    return this.data.get(key) ?? null
  }

  private execute(op: KvOp): KvOutput {
    switch (op.kind) {
      case 'put':
        this.data.set(op.key, op.value)
        return null
      case 'get':
        return this.read(op.key)
      case 'delete':
        return this.data.delete(op.key)
      case 'cas': {
        if (this.read(op.key) !== op.expected) return false
        this.data.set(op.key, op.value)
        return true
      }
    }
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({data: [...this.data], lastSeq: [...this.lastSeq]}))
  }

  static restore(bytes: Uint8Array): KvStateMachine {
    const kv = new KvStateMachine()
    if (bytes.length === 0) return kv
    const parsed = JSON.parse(decoder.decode(bytes)) as {data: [string, string][]; lastSeq: [number, {seq: number; output: KvOutput}][]}
    kv.data = new Map(parsed.data)
    kv.lastSeq = new Map(parsed.lastSeq)
    return kv
  }
}
