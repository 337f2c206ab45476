// del: counts, ranges, --prefix, --from-key, --prev-kv, output formats.
import type {Script} from '../harness/script.js'
import {run} from './steps.js'

export const delScripts: Script[] = [
  {
    name: 'del counts, ranges, --prefix, --from-key and --prev-kv',
    steps: [
      ...['a', 'ab', 'abc', 'b', 'c', 'd', 'e', 'f'].map((key) => run('put', key, `v-${key}`)),
      run('del', 'missing'),
      run('del', 'a'),
      run('del', 'ab', '--prev-kv'),
      run('del', 'a', '--prefix'),
      run('get', '', '--from-key', '-w', 'json'),
      run('del', 'b', 'd'),
      run('del', 'e', '--from-key', '--prev-kv'),
      run('del', 'd', '--prev-kv', '-w', 'json'),
      run('del', 'nothing', '--prefix', '--prev-kv', '-w', 'json'),
      run('put', 'k', 'v'),
      run('del', 'k', '--prev-kv', '-w', 'fields'),
      run('del', 'k', '-w', 'fields'),
      run('put', 'k', 'again'),
      run('del', 'k', '-w', 'json'),
      run('put', 'k', 'table'),
      // Deleted, then exit 4: etcdctl has no table for del.
      run('del', 'k', '-w', 'table'),
      run('get', 'k', '-w', 'json'),
      run('del', 'x', '--prefix', '--from-key'),
      run('del'),
      run('del', ''),
    ],
  },
]
