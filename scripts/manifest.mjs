// Writes each CLI's oclif manifest at build time, so start-up reads one JSON file instead of
// importing every command to learn its flags.
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
for (const cli of ['ectl', 'kctl']) {
  execFileSync(process.execPath, [`${root}node_modules/oclif/bin/run.js`, 'manifest', `${root}cli/${cli}`], {stdio: ['ignore', 'ignore', 'inherit']})
}
