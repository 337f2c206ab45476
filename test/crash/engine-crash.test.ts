// kill -9 the embedded engine at random moments: after each reopen every acknowledged put is
// there with its value and revision, and the store's revision never goes back.
import assert from 'node:assert/strict'
import {runUntilKilled} from './kill-after-ready.js'
import {fileURLToPath} from 'node:url'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, it} from 'node:test'
import {openEmbedded} from '../../src/engine/etcd/embedded.js'

const childPath = fileURLToPath(new URL('./engine-crash-child.ts', import.meta.url))
const rounds = 20
const writers = 64

let dataDir: string
before(async () => (dataDir = await mkdtemp(join(tmpdir(), 'engine-crash-'))))
after(() => rm(dataDir, {recursive: true, force: true}))

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

/** Runs the child until `killAfterMs` after it is ready, then SIGKILLs it; returns the acknowledged puts. */
async function runChild(tag: string, killAfterMs: number): Promise<Map<string, bigint>> {
  const acked = new Map<string, bigint>()
  await runUntilKilled([childPath, dataDir, tag, String(writers)], killAfterMs, (line) => {
    const [key, revision] = line.split(' ')
    acked.set(key, BigInt(revision))
  })
  return acked
}

it(`every acknowledged put survives kill -9 of the embedded engine (${rounds} rounds, ${writers} writers)`, async () => {
  const random = rng(7031)
  const acked = new Map<string, bigint>()
  let lastRevision = 0n
  for (let round = 0; round < rounds; round++) {
    for (const [key, revision] of await runChild(`r${round}`, 20 + Math.floor(random() * 300))) acked.set(key, revision)

    const client = await openEmbedded(dataDir)
    try {
      const response = await client.range({key: Buffer.from('k/'), rangeEnd: Buffer.from('k0')})
      const revision = response.header!.revision
      assert.ok(revision >= lastRevision, `round ${round}: revision went back from ${lastRevision} to ${revision}`)
      lastRevision = revision
      const found = new Map(response.kvs.map((kv) => [kv.key.toString(), kv]))
      for (const [key, putRevision] of acked) {
        const kv = found.get(key)
        assert.ok(kv, `round ${round}: acknowledged key ${key} is missing`)
        assert.equal(kv.value.toString(), `value of ${key}`, `round ${round}: ${key} has the wrong value`)
        assert.equal(kv.modRevision, putRevision, `round ${round}: ${key} has mod revision ${kv.modRevision}, the put said ${putRevision}`)
        assert.ok(putRevision <= revision)
      }
    } finally {
      await client.close()
    }
  }
  // The test means something only if the children really wrote between kills.
  assert.ok(acked.size > rounds * 50, `only ${acked.size} puts acknowledged in ${rounds} rounds`)
  console.log(`engine crash: ${acked.size} acknowledged puts over ${rounds} kills, revision ${lastRevision}`)
})
