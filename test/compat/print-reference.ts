// Prints what the real etcdctl answers to every golden step (normalized as compared), to read
// the cases without ectl: node --import tsx test/compat/print-reference.ts [name filter]
import {allScripts} from './cases/all.js'
import {displayLines} from './harness/display.js'
import {normalizeOutput} from './harness/normalize.js'
import {runOnRealEtcdctl} from './harness/script.js'

const filter = process.argv[2] ?? ''
let steps = 0
for (const script of allScripts.filter((candidate) => candidate.name.includes(filter))) {
  process.stdout.write(`### ${script.name}\n`)
  const results = await runOnRealEtcdctl(script)
  script.steps.forEach((step, index) => {
    const result = results[index]!
    steps += 1
    const stdin = step.stdin === undefined ? '' : ` <<< ${JSON.stringify(step.stdin.toString().slice(0, 60))}`
    const env = step.env === undefined ? '' : `${JSON.stringify(step.env)} `
    process.stdout.write(`--- ${index + 1}. ${env}etcdctl ${JSON.stringify(step.argv)}${stdin} → exit ${result.exitCode}\n`)
    for (const [stream, bytes] of [['out', result.stdout], ['err', result.stderr]] as const) {
      if (bytes.length === 0) continue
      for (const line of displayLines(normalizeOutput(bytes))) process.stdout.write(`  ${stream}| ${line}\n`)
    }
  })
}
process.stdout.write(`${steps} steps\n`)
