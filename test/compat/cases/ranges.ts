// get over ranges: --prefix, --from-key, range end, --limit, sorting, historical --rev, and
// the display flags (--keys-only, --print-value-only, --consistency).
import type {Script} from '../harness/script.js'
import {run} from './steps.js'

const populate = ['a', 'ab', 'abc', 'b', 'bc', 'c', 'd'].map((key, index) => run('put', key, `value-${index}`))

export const rangeScripts: Script[] = [
  {
    name: 'get --prefix, --from-key, range end, --limit and display flags',
    steps: [
      ...populate,
      run('get', 'a', '--prefix'),
      run('get', 'ab', '--from-key'),
      run('get', 'a', 'c'),
      run('get', 'a', 'c', '-w', 'json'),
      run('get', 'e', 'z'),
      run('get', 'a', '--prefix', '--limit=2'),
      run('get', 'a', '--prefix', '--limit=2', '-w', 'json'),
      run('get', 'a', '--prefix', '--limit', '3', '-w', 'fields'),
      run('get', 'a', '--prefix', '--limit=3', '-w', 'json'),
      run('get', 'b', '--from-key', '--limit=1', '-w', 'json'),
      run('get', '', '--from-key', '--keys-only'),
      run('get', '', '--prefix', '--keys-only', '-w', 'json'),
      run('get', 'a', '--prefix', '--print-value-only'),
      run('get', 'a', '--prefix', '--print-value-only', '--keys-only'),
      run('get', 'a', '--prefix', '--print-value-only', '-w', 'json'),
      run('get', 'a', '--prefix', '--consistency=s'),
      run('get', 'a', '--consistency=s', '-w', 'json'),
      run('get', 'a', '--consistency=x'),
      // Not compared here: --count-only came with etcdctl 3.5 (3.4 rejects the flag); ectl
      // follows 3.5, which test/cli covers.
    ],
  },
  {
    name: 'get --sort-by every target with --order ASCEND and DESCEND',
    steps: [
      // Create order c, a, b; then a and c change again so create, modify, version and value
      // orders all differ from key order.
      run('put', 'c', 'x'),
      run('put', 'a', 'z'),
      run('put', 'b', 'y'),
      run('put', 'a', 'w'),
      run('put', 'a', 'm'),
      run('put', 'c', 'p'),
      ...['KEY', 'VERSION', 'CREATE', 'MODIFY', 'VALUE'].flatMap((target) => [
        run('get', '', '--from-key', `--sort-by=${target}`, '--order=ASCEND'),
        run('get', '', '--from-key', `--sort-by=${target}`, '--order=DESCEND'),
      ]),
      run('get', '', '--from-key', '--sort-by=VERSION'),
      run('get', '', '--from-key', '--order=DESCEND'),
      run('get', '', '--from-key', '--order=descend', '--sort-by=modify', '-w', 'json'),
      run('get', '', '--from-key', '--sort-by=VALUE', '--order=DESCEND', '--limit=2', '-w', 'json'),
      run('get', '', '--from-key', '--sort-by=foo'),
      run('get', '', '--from-key', '--order=sideways'),
    ],
  },
  {
    name: 'get --rev reads history',
    steps: [
      run('put', 'x', '1'),
      run('put', 'x', '2'),
      run('put', 'y', '1'),
      run('del', 'x'),
      run('put', 'x', '3'),
      run('get', 'x', '--rev=2'),
      run('get', 'x', '--rev=3', '-w', 'json'),
      run('get', 'x', '--rev', '5'),
      run('get', '', '--from-key', '--rev=4', '-w', 'json'),
      run('get', '', '--from-key', '--rev=1', '-w', 'json'),
      run('get', 'x', '--rev=0', '-w', 'json'),
      run('get', 'x', '--rev=6', '-w', 'fields'),
      run('get', 'x', '--rev=7'),
      run('get', 'x', '--rev=abc'),
    ],
  },
]
