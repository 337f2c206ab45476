// A running cluster as one of its members describes it to a member that is starting: the
// cluster id and the roster (etcd's peer /members endpoint, read by a member joining with
// --initial-cluster-state existing, and by a new member checking it was not bootstrapped
// already). Asked on the peer port with a `members` hello (transport.ts); answered with one
// JSON frame.
import {FrameReader, frame} from './frames.js'
import {dialPeer, type PeerTls} from './peer-tls.js'
import type {Roster, SavedMember} from './roster.js'

export interface ClusterInfo {
  /** The cluster id, hex. */
  cluster: string
  members: SavedMember[]
}

/** An answer is small; a bigger one is not a member speaking. */
const maxAnswerBytes = 4 * 1024 * 1024

export function clusterInfoOf(clusterId: bigint, roster: Roster): ClusterInfo {
  return {cluster: clusterId.toString(16), members: roster.save()}
}

/** Asks one peer URL (over TLS with `tls` for https://); rejects when it cannot be reached or does not answer within timeoutMs. */
export function askClusterInfo(peerUrl: string, timeoutMs: number, tls?: PeerTls): Promise<ClusterInfo> {
  const url = new URL(peerUrl)
  return new Promise<ClusterInfo>((resolve, reject) => {
    const address = {host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), tls: url.protocol === 'https:'}
    const socket = dialPeer(address, tls, () => socket.write(frame(Buffer.from(JSON.stringify({cluster: '', from: '', to: '', query: 'members'})))))
    const reader = new FrameReader(maxAnswerBytes)
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from ${peerUrl} within ${timeoutMs} ms`)), timeoutMs)
    let answered = false
    socket.on('data', (chunk: Buffer) => {
      try {
        const frames = reader.push(chunk)
        if (frames.length === 0) return
        const info = JSON.parse(frames[0]!.toString('utf8')) as ClusterInfo
        if (typeof info.cluster !== 'string' || !Array.isArray(info.members)) throw new Error(`${peerUrl} gave no member list`)
        answered = true
        clearTimeout(timer)
        socket.destroy()
        resolve(info)
      } catch (error) {
        socket.destroy(error as Error)
      }
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      if (!answered) reject(error)
    })
    socket.once('close', () => {
      clearTimeout(timer)
      if (!answered) reject(new Error(`${peerUrl} closed without an answer`))
    })
  })
}

/** The first answer among `peerUrls` (asked one after another, as etcd does), or undefined if none answers. */
export async function fetchClusterInfo(peerUrls: readonly string[], timeoutMs: number, tls?: PeerTls): Promise<ClusterInfo | undefined> {
  for (const url of peerUrls) {
    try {
      return await askClusterInfo(url, timeoutMs, tls)
    } catch {
      // the next one
    }
  }
  return undefined
}
