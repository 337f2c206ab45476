// In-process engine benchmarks: durable puts (group commit), gets, txns, a prefix range.
import {openEmbedded} from '../src/engine/etcd/embedded.js'
import {type Result, runConcurrent, tempDir} from './util.js'

export async function benchEngine(): Promise<Result[]> {
  const dir = tempDir('ectl-bench-')
  const results: Result[] = []
  const engine = await openEmbedded(dir.path)
  try {
    const value = Buffer.alloc(100, 'v')
    // Keys are built once: a get costs about as much as making its key buffer from a string.
    const keys = Array.from({length: 10_000}, (_, i) => Buffer.from(`bench/key/${String(i).padStart(8, '0')}`))
    const key = (i: number) => keys[i]!

    const serial = await runConcurrent(2_000, 1, (i) => engine.put({key: key(i), value}))
    results.push({name: 'durable put, 1 client', value: serial.opsPerSec, unit: 'ops/s', note: `p99 ${serial.p99Ms.toFixed(2)} ms`})

    const wide = await runConcurrent(100_000, 64, (i) => engine.put({key: key(i % 10_000), value}))
    results.push({name: 'durable put, 64 clients', value: wide.opsPerSec, unit: 'ops/s', target: '>= 50,000 ops/s', note: `p99 ${wide.p99Ms.toFixed(2)} ms`})

    // No per-op timing: no latency is reported for gets, and two clock reads cost a third of one.
    const gets = await runConcurrent(500_000, 1, (i) => engine.range({key: key(i % 10_000)}), {latencies: false})
    results.push({name: 'get one key', value: gets.opsPerSec, unit: 'ops/s', target: '>= 500,000 ops/s'})

    const txns = await runConcurrent(50_000, 64, (i) =>
      engine.txn({
        compare: [{key: key(i % 10_000), rangeEnd: Buffer.alloc(0), target: 2, result: 1, modRevision: 0n}],
        success: [{requestPut: {key: key(i % 10_000), value, lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false}}],
        failure: [],
      }),
    )
    results.push({name: 'txn (compare mod > 0, put), 64 clients', value: txns.opsPerSec, unit: 'ops/s', note: `p99 ${txns.p99Ms.toFixed(2)} ms`})

    const prefix = Buffer.from('bench/key/')
    const rangeEnd = Buffer.from('bench/key0')
    const ranges = await runConcurrent(200, 1, () => engine.range({key: prefix, rangeEnd}))
    results.push({name: 'prefix range over 10,000 keys', value: 1000 / ranges.opsPerSec, unit: 'ms', note: 'per range'})
  } finally {
    await engine.close()
    dir.remove()
  }
  return results
}
