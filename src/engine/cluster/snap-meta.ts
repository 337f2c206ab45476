// The Raft snapshot record of a cluster member: the index and term the store holds durably,
// the configuration (voters, learners) and the roster at that index. The store itself is the
// snapshot's data (it keeps its consistent index in the same transaction as the data), so the
// record is small: <member dir>/snap/raft.json, written whole and renamed into place.
//
// Invariant: the store's durable consistent index is at least `index`, and the write-ahead log
// holds every entry after `index`; restart = this record + the log from index + 1.
import {access, mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {ConfState} from '../raft/index.js'
import {syncDir} from '../wal/fs-sync.js'
import type {SavedMember} from './roster.js'

export interface SnapMeta {
  index: number
  term: number
  confState: ConfState
  roster: SavedMember[]
}

interface SavedSnapMeta {
  index: number
  term: number
  voters: string[]
  learners: string[]
  roster: SavedMember[]
}

const dirName = 'snap'
const fileName = 'raft.json'

/** Whether memberDir holds a cluster member's data (its Raft record). */
export async function holdsClusterMember(memberDir: string): Promise<boolean> {
  return access(join(memberDir, dirName, fileName)).then(
    () => true,
    () => false,
  )
}

export async function loadSnapMeta(memberDir: string): Promise<SnapMeta | undefined> {
  let text: string
  try {
    text = await readFile(join(memberDir, dirName, fileName), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const saved = JSON.parse(text) as SavedSnapMeta
  return {
    index: saved.index,
    term: saved.term,
    confState: {voters: saved.voters.map(BigInt), learners: saved.learners.map(BigInt)},
    roster: saved.roster,
  }
}

export async function saveSnapMeta(memberDir: string, meta: SnapMeta): Promise<void> {
  const dir = join(memberDir, dirName)
  await mkdir(dir, {recursive: true})
  const saved: SavedSnapMeta = {
    index: meta.index,
    term: meta.term,
    voters: meta.confState.voters.map(String),
    learners: meta.confState.learners.map(String),
    roster: meta.roster,
  }
  const path = join(dir, fileName)
  await writeFile(`${path}.tmp`, JSON.stringify(saved), {flush: true})
  await rename(`${path}.tmp`, path)
  await syncDir(dir)
}
