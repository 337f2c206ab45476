// When connections write: once per turn of the event loop, in the check phase (setImmediate),
// every connection with something queued writes it in one socket write, so the answers a turn
// made share a syscall per connection instead of one each.
//
// Answers go first on every connection, then streams' deferred writes (watch events) on every
// connection: a write's events reach the watch streams while it is applied, before its caller
// is answered, and a put whose answer waited behind its fan-out to every watcher's connection
// slowed as watchers were added. etcd, too, acknowledges a put without waiting for its
// watchers.

/** A connection's side of the flush. */
export interface Flushable {
  /** Writes what is queued: the answers, or the deferred writes. */
  flush(deferred: boolean): void
}

const dirty = new Set<Flushable>()
let scheduled = false

function flushAll(): void {
  scheduled = false
  const connections = [...dirty]
  dirty.clear()
  for (const connection of connections) connection.flush(false)
  for (const connection of connections) connection.flush(true)
}

/** `connection` has something to write: it is flushed in this turn's check phase. */
export function scheduleFlush(connection: Flushable): void {
  dirty.add(connection)
  if (scheduled) return
  scheduled = true
  setImmediate(flushAll)
}

/** A connection that is gone has nothing more to write. */
export function forgetFlush(connection: Flushable): void {
  dirty.delete(connection)
}
