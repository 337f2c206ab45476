// Reopen time and memory with 1,000,000 keys of 256 B: one child process fills a data dir
// (txns of 128 puts), a fresh child opens it and reports how long the open took and its RSS.
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {type Result, tempDir} from './util.js'

const self = fileURLToPath(import.meta.url)

export async function benchReopen(keys = 1_000_000): Promise<Result[]> {
  const dir = tempDir('ectl-reopen-')
  try {
    runChild(['fill', dir.path, String(keys)])
    const out = JSON.parse(runChild(['open', dir.path])) as {openMs: number; rssMB: number; revision: number}
    return [
      {name: `reopen with ${keys.toLocaleString('en-US')} keys of 256 B`, value: out.openMs / 1000, unit: 's', target: '<= 2 s'},
      {name: `RSS after reopen with ${keys.toLocaleString('en-US')} keys`, value: out.rssMB, unit: 'MB', target: '<= 500 MB'},
    ]
  } finally {
    dir.remove()
  }
}

function runChild(args: string[]): string {
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, ...args], {encoding: 'utf8', maxBuffer: 1 << 20})
  if (child.status !== 0) throw new Error(`bench child ${args[0]} failed: ${child.stderr}`)
  return child.stdout
}

async function childMain(mode: string, dataDir: string, keys: number): Promise<void> {
  const {openEmbedded} = await import('../src/engine/etcd/embedded.js')
  if (mode === 'fill') {
    const engine = await openEmbedded(dataDir)
    const value = Buffer.alloc(256, 'x')
    const perTxn = 128
    const inFlight: Promise<unknown>[] = []
    for (let start = 0; start < keys; start += perTxn) {
      const success = []
      for (let i = start; i < Math.min(keys, start + perTxn); i++) {
        success.push({requestPut: {key: Buffer.from(`reopen/${String(i).padStart(8, '0')}`), value, lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false}})
      }
      inFlight.push(engine.txn({compare: [], success, failure: []}))
      if (inFlight.length >= 32) await Promise.all(inFlight.splice(0))
    }
    await Promise.all(inFlight)
    await engine.close()
    return
  }
  const t0 = performance.now()
  const engine = await openEmbedded(dataDir)
  const openMs = performance.now() - t0
  const revision = Number((await engine.range({key: Buffer.from('reopen/'), countOnly: true, rangeEnd: Buffer.from('reopen0')})).header?.revision)
  const rssMB = process.memoryUsage().rss / 1024 / 1024
  await engine.close()
  process.stdout.write(JSON.stringify({openMs, rssMB, revision}))
}

if (process.argv[1] === self) await childMain(process.argv[2], process.argv[3], Number(process.argv[4] ?? 0))
