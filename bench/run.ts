// `npm run bench`: every benchmark, with the real peer beside ours where there is one.
// Prints a Markdown table to paste into BENCHMARKS.md with the machine it ran on.
import {cpus, totalmem} from 'node:os'
import {benchCli} from './cli.js'
import {benchCatchUp} from './cluster/catch-up.js'
import {benchFailover} from './cluster/failover.js'
import {benchCluster} from './cluster/load.js'
import {benchEngine} from './engine.js'
import {benchKctl} from './kctl.js'
import {benchKubeServer} from './kube-server/load.js'
import {benchReopen} from './reopen.js'
import {benchServer} from './server/load.js'
import {formatResults, type Result} from './util.js'

const only = process.argv[2]
const suites: Record<string, () => Promise<Result[]>> = {engine: benchEngine, reopen: () => benchReopen(), cli: benchCli, server: benchServer, kctl: benchKctl, 'kube-server': benchKubeServer, cluster: benchCluster, 'catch-up': benchCatchUp, failover: benchFailover}
const results: Result[] = []
for (const [name, suite] of Object.entries(suites)) {
  if (only && only !== name) continue
  console.error(`running ${name}…`)
  results.push(...(await suite()))
}
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`)
console.log(formatResults(results))
