// One load-generator process: reads its task as JSON from argv, connects and frames its
// requests, says "ready" on stdout and waits for "go" on stdin (so the processes of a cell start
// their clocks together, after every one of them has paid its own start-up), then prints its
// result as JSON.
import {once} from 'node:events'
import {prepareTask, runTask, type WorkerTask} from './workload.js'

const task = JSON.parse(process.argv[2]!) as WorkerTask
const prepared = prepareTask(task)
process.stdout.write('ready\n')
await once(process.stdin, 'data')
process.stdin.destroy()
const result = await runTask(task, prepared)
// exit only once the result is written: a pipe takes large writes asynchronously
process.stdout.write(JSON.stringify(result), () => process.exit(0))
