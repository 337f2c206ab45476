// Which of a leader's messages may wait a moment (transport.ts: hold).
//
// When an entry commits, raft sends every follower an append with no entries: the new commit
// index. With one client writing one put after another, that message woke both followers (and,
// with their answers, the leader again) once more per put, just as the leader answered its
// client and the client sent the next put: on two cores shared by three members and the client,
// those wake-ups stood in the way of the next put. Held, the commit index leaves with the next
// put's append (one message, one wake-up per follower), or after commitHoldMs when no put
// follows. Nothing else is delayed: a read index answer, a heartbeat or an append sent to the
// follower meanwhile takes the held message along first, in order.
import {type Message, MessageType, type NodeId} from '../raft/index.js'

/**
 * The longest a commit index waits for another message to the same follower: above the gap
 * between two puts of a sequential client (about 1 ms here), far below a heartbeat (100 ms by
 * default), so a follower's store is never more than this behind when writes stop.
 */
export const commitHoldMs = 5

/**
 * Splits a Ready's messages into those to send and those that may be held: all of a peer's
 * messages when every one is an append without entries (only the commit index is news to it).
 * A peer's messages stay together, so they reach it in raft's order.
 */
export function splitHoldable(messages: Message[]): {send: Message[]; hold: Message[]} {
  const notHoldable = new Set<NodeId>()
  for (const m of messages) if (m.type !== MessageType.App || m.entries.length > 0) notHoldable.add(m.to)
  if (notHoldable.size === 0) return {send: [], hold: messages}
  const send: Message[] = []
  const hold: Message[] = []
  for (const m of messages) (notHoldable.has(m.to) ? send : hold).push(m)
  return {send, hold}
}
