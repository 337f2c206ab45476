// compaction, --physical, and reads below the compacted revision or above the current one.
import type {Script} from '../harness/script.js'
import {run} from './steps.js'

export const compactionScripts: Script[] = [
  {
    name: 'compaction, --physical, compacted and future revisions',
    steps: [
      ...['v1', 'v2', 'v3', 'v4', 'v5'].map((value) => run('put', 'k', value)), // revs 2..6
      run('put', 'other', 'o'), // rev 7
      run('compaction', '3'),
      run('get', 'k', '--rev=2'),
      run('get', 'k', '--rev=3', '-w', 'json'),
      run('get', 'k', '--rev=4', '-w', 'fields'),
      run('get', 'k', '-w', 'json'),
      run('compaction', '3'),
      run('compaction', '2'),
      run('compaction', '0'),
      run('compaction', '5', '--physical'),
      run('get', 'k', '--rev=4'),
      run('get', '', '--from-key', '--rev=5', '-w', 'json'),
      run('compaction', '100'),
      run('get', 'k', '--rev=100'),
      run('get', 'k', '--rev=8'),
      run('get', 'k', '--rev=7', '-w', 'json'),
      run('compaction', '6', '-w', 'json'),
      run('compaction', '7', '--physical=true', '-w', 'fields'),
      run('put', 'k', 'v6'),
      run('compaction', '8', '-w', 'table'),
      run('get', 'k', '--rev=8', '-w', 'json'),
      run('del', 'k', '--prev-kv', '-w', 'json'),
      run('compaction'),
      run('compaction', 'abc'),
      run('compaction', '-w', 'json'),
    ],
  },
]
