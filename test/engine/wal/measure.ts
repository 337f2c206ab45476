// Measures the disk and the log (not a test; run by hand):
//   node --import tsx test/engine/wal/measure.ts [seconds per measurement]
// Prints fdatasync latency of a 4 KiB append, the throughput of 64 concurrent appenders of one
// ~100-byte entry each, and of one appender writing batches of 64 such entries.
import {open} from 'node:fs/promises'
import {join} from 'node:path'
import {openWal} from '../../../src/engine/wal/wal.js'
import {tempDir} from './helpers.js'

const seconds = Number(process.argv[2] ?? 3)
const data = Buffer.alloc(100, 7)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

async function fdatasyncLatency(dir: string): Promise<void> {
  const handle = await open(join(dir, 'sync-probe'), 'w')
  const block = Buffer.alloc(4096, 1)
  const latenciesMs: number[] = []
  const until = performance.now() + seconds * 1000
  for (let position = 0; performance.now() < until; position += block.length) {
    await handle.write(block, 0, block.length, position)
    const start = performance.now()
    await handle.datasync()
    latenciesMs.push(performance.now() - start)
  }
  await handle.close()
  latenciesMs.sort((a, b) => a - b)
  const fmt = (ms: number) => `${ms.toFixed(3)} ms`
  console.log(
    `fdatasync after a 4 KiB append: ${latenciesMs.length} syncs, p50 ${fmt(percentile(latenciesMs, 0.5))}, p99 ${fmt(percentile(latenciesMs, 0.99))}, max ${fmt(latenciesMs[latenciesMs.length - 1])}`,
  )
}

async function concurrentAppenders(dir: string, appenders: number, entriesPerAppend: number): Promise<void> {
  const {wal} = await openWal(dir)
  let next = 1n
  let stop = false
  let appended = 0
  const start = performance.now()
  const appender = async () => {
    while (!stop) {
      const batch = Array.from({length: entriesPerAppend}, () => ({index: next++, term: 1n, data}))
      await wal.append(batch)
      appended += entriesPerAppend
    }
  }
  setTimeout(() => (stop = true), seconds * 1000)
  await Promise.all(Array.from({length: appenders}, appender))
  const elapsedS = (performance.now() - start) / 1000
  const {batches, fileSyncs} = wal.stats
  await wal.close()
  console.log(
    `${appenders} appender(s) x ${entriesPerAppend} entr${entriesPerAppend === 1 ? 'y' : 'ies'} of ${data.length} B: ` +
      `${Math.round(appended / elapsedS)} entries/s, ${Math.round(batches / elapsedS)} syncs/s, ${(appended / batches).toFixed(1)} entries per sync (${fileSyncs} syncs)`,
  )
}

const probe = await tempDir()
try {
  await fdatasyncLatency(probe.dir)
  await concurrentAppenders(join(probe.dir, 'a'), 64, 1)
  await concurrentAppenders(join(probe.dir, 'b'), 1, 64)
  await concurrentAppenders(join(probe.dir, 'c'), 1, 1)
} finally {
  await probe.cleanup()
}
