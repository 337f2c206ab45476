// put and get: simple reads and writes, every output format, put's flags, stdin values.
import type {Script} from '../harness/script.js'
import {feed, run, withEnv} from './steps.js'

export const putGetScripts: Script[] = [
  {
    name: 'put and get, simple and in every output format',
    steps: [
      run('put', 'foo', 'bar'),
      run('get', 'foo'),
      run('get', 'missing'),
      run('get', 'missing', '-w', 'json'),
      run('get', 'missing', '-w', 'fields'),
      run('get', 'foo', '-w', 'json'),
      run('get', 'foo', '-w', 'fields'),
      run('get', 'foo', '-w', 'table'),
      run('put', 'foo', 'baz', '-w', 'json'),
      run('put', 'foo', 'qux', '-w', 'fields'),
      // etcdctl applies the put, then refuses to print it: exit 4, but the revision moved.
      run('put', 'foo', 'tbl', '-w', 'table'),
      run('get', 'foo', '-w', 'json'),
      run('put', 'empty', ''),
      run('get', 'empty', '-w', 'json'),
      run('get', 'empty', '-w', 'fields'),
      run('put', 'spaced key', 'a value with  spaces'),
      run('get', 'spaced key'),
      // Extra arguments after the value are ignored by etcdctl 3.4.
      run('put', 'x', 'y', 'z'),
      run('get', 'x', '--write-out=json'),
      withEnv({ETCDCTL_WRITE_OUT: 'fields'}, 'get', 'x'),
    ],
  },
  {
    name: 'put --prev-kv, --ignore-value, --ignore-lease, --lease and values from stdin',
    steps: [
      run('put', 'k', 'v1', '--prev-kv'),
      run('put', 'k', 'v2', '--prev-kv'),
      run('put', 'k', 'v3', '--prev-kv', '-w', 'json'),
      run('put', 'k', 'v4', '--prev-kv', '-w', 'fields'),
      run('put', 'k', '--ignore-value'),
      run('get', 'k', '-w', 'json'),
      run('put', 'k', '--ignore-value', '--prev-kv', '-w', 'json'),
      run('put', 'missing', '--ignore-value'),
      run('put', 'k', 'v5', '--ignore-value'),
      run('put', 'k', 'v6', '--ignore-lease'),
      run('get', 'k', '-w', 'fields'),
      run('put', 'missing', 'v', '--ignore-lease'),
      run('put', 'k', '--ignore-value', '--ignore-lease', '-w', 'json'),
      // --lease is hex: "abc" is lease 0xabc, which does not exist.
      run('put', 'leased', 'v', '--lease=abc'),
      feed('from stdin\nsecond line\n', 'put', 'stdin-key'),
      run('get', 'stdin-key', '-w', 'json'),
      run('get', 'stdin-key', '--print-value-only'),
      run('put', 'no-value'),
      feed('', 'put', 'no-value'),
      run('get', '', '--from-key', '-w', 'json'),
    ],
  },
]
