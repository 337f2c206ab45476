// Shared helpers of the WAL tests: temp dirs and recognisable entries.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {WalEntry} from '../../../src/engine/wal/log.js'

/** A fresh temp dir; removed by the returned cleanup. */
export async function tempDir(): Promise<{dir: string; cleanup: () => Promise<void>}> {
  const dir = await mkdtemp(join(tmpdir(), 'wal-test-'))
  return {dir, cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** The data an entry written with `tag` at `index` carries: recognisable and index-dependent. */
export function dataFor(index: bigint, tag = 'v'): Buffer {
  return Buffer.from(`${tag}:${index}:${'x'.repeat(Number(index % 50n))}`)
}

export function entry(index: bigint, term = 1n, tag = 'v'): WalEntry {
  return {index, term, data: dataFor(index, tag)}
}

/** Entries first..last inclusive. */
export function entries(first: bigint, last: bigint, term = 1n, tag = 'v'): WalEntry[] {
  const out: WalEntry[] = []
  for (let i = first; i <= last; i++) out.push(entry(i, term, tag))
  return out
}

/** Compares entries by index, term and data bytes. */
export function summarize(list: WalEntry[]): string[] {
  return list.map((e) => `${e.index}/${e.term}/${Buffer.from(e.data).toString()}`)
}
