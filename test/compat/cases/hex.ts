// --hex and byte strings that are not text: binary values (through stdin, since argv cannot
// carry a NUL), binary keys (through txn's quoted \x escapes), and UTF-8 keys.
import type {Script} from '../harness/script.js'
import {feed, run, txnInput, withEnv} from './steps.js'

const binaryValue = Buffer.from([0x41, 0x00, 0xff, 0x01, 0x0a, 0x80])

export const hexScripts: Script[] = [
  {
    name: '--hex with binary keys and values',
    steps: [
      feed(binaryValue, 'put', 'bin'),
      run('get', 'bin'),
      run('get', 'bin', '--hex'),
      run('get', 'bin', '-w', 'json'),
      run('get', 'bin', '--hex', '-w', 'fields'),
      run('get', 'bin', '-w', 'fields'),
      run('get', 'bin', '--print-value-only', '--hex'),
      feed(txnInput([], ['put "\\x01\\xffkey" "a\\x00b"', 'put "sp ace" "\\x7f"'], []), 'txn'),
      run('get', '\x01', '--from-key', '--hex'),
      run('get', '\x01', '--from-key', '-w', 'json'),
      run('get', '\x01', '--from-key', '--keys-only', '--hex', '-w', 'fields'),
      run('put', 'ключ', 'значение'),
      run('get', 'ключ'),
      run('get', 'ключ', '--hex'),
      run('get', 'ключ', '-w', 'fields'),
      run('put', 'ctl\x01\x1b', 'bell\x07'),
      run('get', 'ctl', '--prefix'),
      run('get', 'ctl', '--prefix', '--hex', '-w', 'json'),
      withEnv({ETCDCTL_HEX: 'true'}, 'get', 'bin'),
      // --hex changes only printing: the key is stored as the two letters given.
      run('put', '--hex', '6b', '76'),
      run('get', '6b', '-w', 'json'),
      run('del', '', '--from-key', '--prev-kv', '--hex'),
    ],
  },
]
