// Child of crash.test.ts: appends to a log with many concurrent writers until it is killed.
// Prints `ready <lastIndex>`, then one line per durable append: `<index>` (after append
// resolved), and `release <index>` BEFORE it starts releasing segments up to that index (the
// line is in the pipe, not only in this process's buffer, when the release starts).
// Usage: crash-child.ts <dir> <fromIndex> <tag> <writers>
import {openWal} from '../../../src/engine/wal/wal.js'
import {dataFor} from './helpers.js'

const [dir, fromArg, tag, writersArg] = process.argv.slice(2)
const fromIndex = BigInt(fromArg)
const {wal} = await openWal(dir, {fromIndex, segmentBytes: 32 * 1024})
let next = wal.lastIndex + 1n
process.stdout.write(`ready ${wal.lastIndex}\n`)

async function writer(): Promise<never> {
  while (true) {
    const index = next++
    await wal.append([{index, term: 1n, data: dataFor(index, tag)}], {term: 1n, vote: 1n, commit: index})
    process.stdout.write(`${index}\n`)
    if (index % 1000n === 0n && index > 2000n) {
      const upTo = index - 2000n
      // A write to a pipe is buffered in this process until the pipe takes it, and a kill -9
      // loses that buffer: release only once the parent is sure to read the line.
      await new Promise<void>((resolve) => process.stdout.write(`release ${upTo}\n`, () => resolve()))
      await wal.releaseTo(upTo)
    }
  }
}

await Promise.all(Array.from({length: Number(writersArg)}, writer))
