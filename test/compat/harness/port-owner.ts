// Whether a process itself listens on a loopback TCP port (Linux /proc), so a harness that picked
// a free port and released it can tell its own server from another test's that took the port in
// between and answers the same health check.
import {readdir, readFile, readlink} from 'node:fs/promises'

/** Inodes of the sockets listening on `port` (any IPv4/IPv6 address). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>()
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // fields: sl local_address rem_address st … inode; state 0A is LISTEN
      if (fields.length < 10 || fields[3] !== '0A') continue
      if (fields[1]!.endsWith(`:${hexPort}`)) inodes.add(fields[9]!)
    }
  }
  return inodes
}

/** True when process `pid` holds a socket listening on `port`. */
export async function listensOn(pid: number, port: number): Promise<boolean> {
  const inodes = await listeningInodes(port)
  if (inodes.size === 0) return false
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const match = /^socket:\[(\d+)\]$/.exec(target)
    if (match !== null && inodes.has(match[1]!)) return true
  }
  return false
}
