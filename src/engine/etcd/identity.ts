// A member's cluster and member ids: random once, then kept in the data dir so every response
// header of one store carries the same ids across restarts (as etcd's do).
import {randomBytes} from 'node:crypto'
import {readFile, writeFile, rename} from 'node:fs/promises'
import {join} from 'node:path'
import type {MemberIdentity} from './member.js'

const fileName = 'identity.json'

export async function loadOrCreateIdentity(memberDir: string): Promise<MemberIdentity> {
  const path = join(memberDir, fileName)
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as {clusterId: string; memberId: string}
    return {clusterId: BigInt(saved.clusterId), memberId: BigInt(saved.memberId)}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const identity = {clusterId: randomId(), memberId: randomId()}
  const temp = `${path}.tmp`
  await writeFile(temp, JSON.stringify({clusterId: String(identity.clusterId), memberId: String(identity.memberId)}), {flush: true})
  await rename(temp, path)
  return identity
}

/** A non-zero 64-bit id. */
function randomId(): bigint {
  const id = randomBytes(8).readBigUInt64BE()
  return id === 0n ? 1n : id
}

/** Writes the ids of a new data dir (snapshot restore derives them from its flags). */
export async function saveIdentity(memberDir: string, identity: MemberIdentity): Promise<void> {
  const path = join(memberDir, fileName)
  const temp = `${path}.tmp`
  await writeFile(temp, JSON.stringify({clusterId: String(identity.clusterId), memberId: String(identity.memberId)}), {flush: true})
  await rename(temp, path)
}
