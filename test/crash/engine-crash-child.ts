// Child of engine-crash.test.ts: opens the embedded engine and writes distinct keys with many
// concurrent writers until it is killed. Prints `ready`, then one line per acknowledged put:
// `<key> <revision>` (after put resolved, i.e. once it is durable).
// Usage: engine-crash-child.ts <data dir> <tag> <writers>
import {openEmbedded} from '../../src/engine/etcd/embedded.js'

const [dataDir, tag, writersArg] = process.argv.slice(2)
const client = await openEmbedded(dataDir)
process.stdout.write('ready\n')

async function writer(id: number): Promise<never> {
  for (let n = 0; ; n++) {
    const key = `k/${tag}/${id}/${n}`
    const response = await client.put({key: Buffer.from(key), value: Buffer.from(valueFor(key))})
    process.stdout.write(`${key} ${response.header!.revision}\n`)
  }
}

function valueFor(key: string): string {
  return `value of ${key}`
}

await Promise.all(Array.from({length: Number(writersArg)}, (_, id) => writer(id)))
