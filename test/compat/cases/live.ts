// Lease commands, watch with a concurrent writer, lock with a command, elect -l (live-script.ts).
import type {LiveScript} from '../harness/live-script.js'
import {feed, run, txnInput} from './steps.js'

export const leaseScripts: LiveScript[] = [
  {
    name: 'lease grant, timetolive, list, keep-alive --once, revoke in every format',
    steps: [
      run('lease', 'grant', '100'),
      run('put', '--lease={lease-1}', 'k1', 'v1'),
      run('lease', 'timetolive', '{lease-1}'),
      run('lease', 'timetolive', '{lease-1}', '--keys'),
      run('lease', 'timetolive', '{lease-1}', '--keys', '-w', 'json'),
      run('lease', 'timetolive', '{lease-1}', '--keys', '-w', 'fields'),
      run('get', 'k1', '-w', 'json'),
      run('lease', 'list'),
      run('lease', 'list', '-w', 'json'),
      run('lease', 'keep-alive', '--once', '{lease-1}'),
      run('lease', 'keep-alive', '--once', '{lease-1}', '-w', 'json'),
      run('lease', 'revoke', '{lease-1}'),
      run('get', 'k1'),
      run('lease', 'revoke', '{lease-1}'),
      run('lease', 'timetolive', '{lease-1}'),
      run('lease', 'timetolive', '{lease-1}', '-w', 'json'),
      run('lease', 'keep-alive', '--once', '{lease-1}'),
      run('lease', 'keep-alive', '{lease-1}'),
      run('lease', 'list'),
      run('lease', 'grant', '30', '-w', 'json'),
      run('lease', 'grant', '30', '-w', 'fields'),
      run('lease', 'revoke', '{lease-2}', '-w', 'json'),
      run('lease', 'revoke', '{lease-3}', '-w', 'fields'),
      run('lease', 'grant'),
      run('lease', 'grant', 'abc'),
      run('lease', 'timetolive', 'zz'),
      run('lease', 'revoke'),
      run('lease', 'keep-alive'),
    ],
  },
]

export const watchScripts: LiveScript[] = [
  {
    name: 'watch --prefix --prev-kv sees a concurrent writer, ends by SIGINT',
    steps: [
      {start: 'watcher', argv: ['watch', 'w', '--prefix', '--prev-kv'], settleMs: 1_500},
      run('put', 'w1', 'a'),
      run('put', 'w1', 'b'),
      run('del', 'w1'),
      run('put', 'w2', 'x y'),
      {stop: 'watcher', signal: 'SIGINT', afterLines: 16},
    ],
  },
  {
    name: 'watch -w json with a concurrent writer, and a command per event',
    steps: [
      {start: 'json', argv: ['watch', 'j', '--prefix', '-w', 'json'], settleMs: 1_500},
      {start: 'exec', argv: ['watch', 'j1', '--', 'sh', '-c', 'echo "[$ETCD_WATCH_REVISION|$ETCD_WATCH_EVENT_TYPE|$ETCD_WATCH_KEY|$ETCD_WATCH_VALUE]"'], settleMs: 1_500},
      run('put', 'j1', 'a'),
      run('del', 'j1'),
      feed(txnInput([], ['put j2 1', 'put j3 2'], []), 'txn'),
      {stop: 'json', signal: 'SIGTERM', afterLines: 3},
      {stop: 'exec', signal: 'SIGINT', afterLines: 8},
      run('compaction', '3'),
      run('watch', 'j1', '--rev', '2'),
      run('watch', 'j1', '--rev', '2', '-w', 'json'),
      run('watch'),
      run('watch', 'a', '--prefix', 'b'),
      run('watch', 'a', '--'),
    ],
  },
]

export const lockElectScripts: LiveScript[] = [
  {
    name: 'lock with a command, elect -l following two leaders',
    leaseKeyPrefixes: ['job/', 'e/'],
    steps: [
      run('lock', 'job', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY $ETCD_LOCK_REV"'),
      run('get', '--prefix', 'job/'),
      run('lock'),
      run('elect'),
      run('elect', 'e'),
      run('elect', '-l', 'e', 'x'),
      {start: 'observer', argv: ['elect', '-l', 'e'], settleMs: 1_500},
      {start: 'first', argv: ['elect', 'e', 'one'], settleMs: 1_500},
      {start: 'second', argv: ['elect', 'e', 'two'], settleMs: 1_500},
      {stop: 'first', signal: 'SIGINT', afterLines: 2},
      {stop: 'second', signal: 'SIGINT', afterLines: 2},
      {stop: 'observer', signal: 'SIGINT', afterLines: 4},
    ],
  },
]
