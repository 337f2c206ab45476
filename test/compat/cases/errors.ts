// Errors: argument and flag errors (usage text and exit codes), server-side refusals.
import type {Script} from '../harness/script.js'
import {feed, run} from './steps.js'

/** A value past etcd's 1.5 MiB request limit but under the client's 2 MiB send limit. */
const oversizeValue = Buffer.alloc(1.6 * 1024 * 1024, 'x')

export const errorScripts: Script[] = [
  {
    name: 'errors from arguments, flags and the server',
    steps: [
      run('put', '', 'x'),
      run('get', ''),
      feed(oversizeValue, 'put', 'big'),
      run('get', 'big', '-w', 'json'),
      run('put'),
      run('put', 'k'),
      run('get'),
      run('get', 'a', '--bogus'),
      run('put', 'a', 'b', '--nope=1'),
      run('get', 'a', '--prefix', '--from-key'),
      run('get', 'a', '--rev=abc'),
      run('get', 'a', '--rev=-1'),
      run('get', 'a', '--limit=abc'),
      run('get', 'a', '--sort-by=foo'),
      run('get', 'a', '--sort-by=KEY', '--order=UP'),
      run('get', 'a', '-w', 'yaml'),
      run('put', 'k', 'v', '--prev-kv', '-w', 'table'),
      run('get', 'k', '-w', 'json'),
      run('del', 'a', '--bogus'),
      run('compaction', '1', '--bogus'),
    ],
  },
]
