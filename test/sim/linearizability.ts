// A linearizability checker for the key-value model (put, get, delete, compare-and-set), in
// the style of Wing & Gong with Lowe's memoization, as Porcupine does it.
//
// A history is a list of operations with invocation and response times. An operation whose
// outcome is unknown (the client gave up waiting) has response time Infinity and no output:
// it may have taken effect at any point after its invocation, or never (linearizing it last,
// after everything else, is the same as never). Every operation touches one key, and
// linearizability is local (a history is linearizable iff each key's sub-history is), so the
// history is checked one key at a time.
//
// The search: walk the events in time order; at a call, try to linearize the operation now
// (the model accepts its output from the current state), remembering (set of linearized ops,
// state) so the same configuration is never explored twice; at a return whose call was not
// linearized yet, backtrack. Bounded by maxSteps: a history too hard to decide is reported,
// not guessed.
import type {KvOp, KvOutput} from './kv.js'

export interface HistoryOp {
  client: number
  op: KvOp
  /** Undefined when the outcome is unknown. */
  output: KvOutput | undefined
  callTime: number
  /** Infinity when the outcome is unknown. */
  returnTime: number
}

export type CheckResult = {ok: true} | {ok: false; key: string; ops: HistoryOp[]; reason: string}

type State = string | null

/** Steps the model: the next state, or undefined if op cannot have returned `output` in `state`. */
function stepModel(state: State, op: KvOp, output: KvOutput | undefined): State | undefined {
  switch (op.kind) {
    case 'put':
      return op.value
    case 'get':
      return output === undefined || output === state ? state : undefined
    case 'delete':
      if (output !== undefined && output !== (state !== null)) return undefined
      return null
    case 'cas': {
      const swaps = state === op.expected
      if (output !== undefined && output !== swaps) return undefined
      return swaps ? op.value : state
    }
  }
}

interface Node {
  op: number
  isCall: boolean
  /** The call's matching return node. */
  match: Node | undefined
  prev: Node | undefined
  next: Node | undefined
}

export function checkKeyHistory(ops: HistoryOp[], initial: State = null, maxSteps = 2_000_000): {ok: boolean; reason?: string} {
  // Reads with an unknown outcome constrain nothing.
  ops = ops.filter((o) => !(o.op.kind === 'get' && o.output === undefined))
  const n = ops.length
  if (n === 0) return {ok: true}
  const events: {time: number; op: number; isCall: boolean}[] = []
  ops.forEach((o, i) => {
    events.push({time: o.callTime, op: i, isCall: true})
    events.push({time: o.returnTime, op: i, isCall: false})
  })
  // Calls before returns at equal times: such operations overlap (the conservative reading).
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1))

  const head: Node = {op: -1, isCall: false, match: undefined, prev: undefined, next: undefined}
  let tail = head
  const callNodes: Node[] = new Array(n)
  const returnNodes: Node[] = new Array(n)
  for (const e of events) {
    const node: Node = {op: e.op, isCall: e.isCall, match: undefined, prev: tail, next: undefined}
    tail.next = node
    tail = node
    if (e.isCall) callNodes[e.op] = node
    else returnNodes[e.op] = node
  }
  for (let i = 0; i < n; i++) callNodes[i]!.match = returnNodes[i]

  const lift = (call: Node) => {
    call.prev!.next = call.next
    if (call.next !== undefined) call.next.prev = call.prev
    const ret = call.match!
    ret.prev!.next = ret.next
    if (ret.next !== undefined) ret.next.prev = ret.prev
  }
  const unlift = (call: Node) => {
    const ret = call.match!
    ret.prev!.next = ret
    if (ret.next !== undefined) ret.next.prev = ret
    call.prev!.next = call
    if (call.next !== undefined) call.next.prev = call
  }

  const words = new Uint32Array(Math.ceil(n / 32))
  const cache = new Map<string, State[]>()
  const stack: {call: Node; state: State}[] = []
  let state = initial
  let entry = head.next
  let steps = 0
  while (head.next !== undefined) {
    if (++steps > maxSteps) return {ok: false, reason: `undecided after ${maxSteps} steps`}
    if (entry === undefined) return {ok: false, reason: 'ran off the event list'}
    if (entry.isCall) {
      const o = ops[entry.op]!
      const next = stepModel(state, o.op, o.output)
      let advanced = false
      if (next !== undefined) {
        words[entry.op >> 5]! |= 1 << (entry.op & 31)
        const key = words.join(',')
        const seen = cache.get(key)
        if (seen === undefined || !seen.includes(next)) {
          if (seen === undefined) cache.set(key, [next])
          else seen.push(next)
          stack.push({call: entry, state})
          state = next
          lift(entry)
          entry = head.next
          advanced = true
        } else {
          words[entry.op >> 5]! &= ~(1 << (entry.op & 31))
        }
      }
      if (!advanced) entry = entry.next
    } else {
      // A return whose call is not linearized: undo the last choice.
      const top = stack.pop()
      if (top === undefined) return {ok: false, reason: 'no linearization'}
      state = top.state
      words[top.call.op >> 5]! &= ~(1 << (top.call.op & 31))
      unlift(top.call)
      entry = top.call.next
    }
  }
  return {ok: true}
}

/** Checks a whole history, key by key. */
export function checkHistory(history: HistoryOp[], maxStepsPerKey?: number): CheckResult {
  const byKey = new Map<string, HistoryOp[]>()
  for (const h of history) {
    const list = byKey.get(h.op.key)
    if (list === undefined) byKey.set(h.op.key, [h])
    else list.push(h)
  }
  for (const [key, ops] of byKey) {
    const r = checkKeyHistory(ops, null, maxStepsPerKey)
    if (!r.ok) return {ok: false, key, ops, reason: r.reason ?? 'no linearization'}
  }
  return {ok: true}
}

export function describeOp(h: HistoryOp): string {
  const op = h.op
  const args = op.kind === 'put' ? `(${op.value})` : op.kind === 'cas' ? `(${op.expected} -> ${op.value})` : '()'
  const out = h.output === undefined ? '?' : JSON.stringify(h.output)
  return `[${h.callTime}, ${h.returnTime === Infinity ? '∞' : h.returnTime}] client ${h.client} ${op.kind}${args} -> ${out}`
}
