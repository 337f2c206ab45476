// kill -9 at random moments: every append the log acknowledged is there after a reopen.
import assert from 'node:assert/strict'
import {runUntilKilled} from '../../crash/kill-after-ready.js'
import {fileURLToPath} from 'node:url'
import {after, before, it} from 'node:test'
import {openWal} from '../../../src/engine/wal/wal.js'
import {dataFor, tempDir} from './helpers.js'

const childPath = fileURLToPath(new URL('./crash-child.ts', import.meta.url))
const rounds = 24
const writers = 64

let dir: string
let cleanup: () => Promise<void>
before(async () => ({dir, cleanup} = await tempDir()))
after(() => cleanup())

/** mulberry32: a small seeded PRNG, so the kill delays are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface RoundOutput {
  acked: bigint[]
  releases: bigint[]
}

/** Runs the child until `killAfterMs` after it is ready, then SIGKILLs it; returns what it printed. */
async function runChild(fromIndex: bigint, tag: string, killAfterMs: number): Promise<RoundOutput> {
  const out: RoundOutput = {acked: [], releases: []}
  await runUntilKilled([childPath, dir, String(fromIndex), tag, String(writers)], killAfterMs, (line) => {
    if (line.startsWith('release ')) out.releases.push(BigInt(line.slice(8)))
    else out.acked.push(BigInt(line))
  })
  return out
}

it(`every acknowledged append survives kill -9 (${rounds} rounds, ${writers} writers)`, async () => {
  const random = rng(20240601)
  const ackedTag = new Map<bigint, string>()
  let released = 0n
  let maxAcked = 0n
  let tornRounds = 0
  for (let round = 0; round < rounds; round++) {
    const tag = `r${round}`
    const out = await runChild(released, tag, 20 + Math.floor(random() * 250))
    for (const index of out.acked) {
      ackedTag.set(index, tag)
      if (index > maxAcked) maxAcked = index
    }
    for (const upTo of out.releases) if (upTo > released) released = upTo

    const {wal, contents} = await openWal(dir, {fromIndex: released})
    if (wal.stats.tornBytesCut > 0) tornRounds++
    const first = released + 1n
    for (const [index, expectedTag] of ackedTag) {
      if (index <= released) continue
      const found = contents.entries[Number(index - first)]
      assert.ok(found, `round ${round}: acknowledged index ${index} is missing (log ends at ${wal.lastIndex})`)
      assert.equal(found.index, index)
      assert.deepEqual(Buffer.from(found.data), dataFor(index, expectedTag), `round ${round}: index ${index} has the wrong data`)
    }
    assert.ok(wal.lastIndex >= maxAcked)
    assert.ok((contents.hardState?.commit ?? 0n) >= maxAcked, `round ${round}: hard state is behind the acknowledged appends`)
    await wal.close()
  }
  // The test means something only if the children really wrote between kills.
  assert.ok(ackedTag.size > rounds * 50, `only ${ackedTag.size} appends acknowledged in ${rounds} rounds`)
  assert.ok(released > 0n, 'no segment was ever released')
  console.log(`crash: ${ackedTag.size} acknowledged appends over ${rounds} kills, released to ${released}, ${tornRounds} torn tails cut`)
})
