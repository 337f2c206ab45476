// One load-generator process: reads its task as JSON from argv, prints its result as JSON.
import {runTask, type WorkerTask} from './workload.js'

const task = JSON.parse(process.argv[2]!) as WorkerTask
const result = await runTask(task)
// exit only once the result is written: a pipe takes large writes asynchronously
process.stdout.write(JSON.stringify(result), () => process.exit(0))
