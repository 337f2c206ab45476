// txn from stdin: compares on value, version, mod and create revision with every operator,
// both branches with put/get/del, output formats, and txn's errors.
import type {Script} from '../harness/script.js'
import {feed, run, txnInput} from './steps.js'

export const txnScripts: Script[] = [
  {
    name: 'txn compares, branches and output formats',
    steps: [
      run('put', 'k', 'v1'), // rev 2
      run('put', 'n', '10'), // rev 3
      feed(txnInput(['value("k") = "v1"'], ['put k v2', 'get k'], ['put k nope']), 'txn'),
      feed(txnInput(['value("k") = "v1"'], ['put k v3'], ['put k v4', 'get k']), 'txn'),
      feed(txnInput(['value("k") != "v1"'], ['get k --print-value-only'], []), 'txn'),
      feed(txnInput(['value("n") < "9"'], ['put lt yes'], ['put lt no']), 'txn'),
      feed(txnInput(['value("n") > "09"'], ['put gt yes'], ['put gt no']), 'txn'),
      feed(txnInput(['ver("k") = "3"', 'version("n") != "2"'], ['put ver ok'], ['put ver fail']), 'txn'),
      feed(txnInput(['ver("k") > "1"', 'ver("k") < "3"'], ['put ver2 ok'], ['put ver2 fail']), 'txn'),
      feed(txnInput(['mod("n") = "3"', 'mod("k") > "3"'], ['put mod ok'], ['put mod fail']), 'txn'),
      feed(txnInput(['mod("k") < "5"'], ['put mod2 ok'], ['put mod2 fail']), 'txn'),
      feed(txnInput(['mod("n") != "3"'], ['put mod3 ok'], ['put mod3 fail']), 'txn'),
      feed(txnInput(['create("k") = "2"', 'create("n") != "2"'], ['put create ok'], []), 'txn'),
      feed(txnInput(['create("absent") = "0"', 'create("n") < "4"'], ['put create2 ok', 'get create2'], []), 'txn'),
      feed(txnInput(['create("k") > "2"'], [], ['get "" --from-key --keys-only']), 'txn'),
      feed(txnInput(['c("k") = "2"', 'm("n") = "3"', 'val("n") = "10"'], ['del n --prev-kv'], []), 'txn'),
      feed(txnInput([], ['put a 1', 'put b 2', 'del lt', 'get "" --prefix --limit=2'], []), 'txn'),
      feed(txnInput(['value("k") = "v4"'], ['put k v5', 'get k', 'del a'], ['put k x']), 'txn', '-w', 'json'),
      feed(txnInput(['value("k") = "v4"'], ['put k v6'], ['get k', 'del absent']), 'txn', '-w', 'json'),
      feed(txnInput(['value("k") = "v5"'], ['put k v7 --prev-kv', 'get k --rev=2'], []), 'txn', '-w', 'fields'),
      feed(txnInput(['value("k") = "nope"'], [], ['del b --prev-kv', 'get k --keys-only']), 'txn', '-w', 'fields'),
      // Applied, then exit 4: etcdctl has no table for txn.
      feed(txnInput([], ['put t 1'], []), 'txn', '-w', 'table'),
      feed(txnInput(['value("k") = "v7"'], ['put q "quoted value"', 'get q'], []), 'txn', '--hex'),
      feed(txnInput(['value("k") = "v7"'], ['put k v8'], ['put k v9']), 'txn', '-i'),
      run('get', '', '--from-key', '-w', 'json'),
    ],
  },
  {
    name: 'txn errors',
    steps: [
      run('put', 'k', 'v'),
      feed(txnInput(['bogus'], [], []), 'txn'),
      feed(txnInput(['value("k") ='], [], []), 'txn'),
      feed(txnInput([], ['foo bar'], []), 'txn'),
      feed(txnInput([], ['put k'], []), 'txn'),
      feed(txnInput([], ['put a 1', 'put a 2'], []), 'txn'),
      feed(txnInput([], ['put a 1', 'del a'], []), 'txn'),
      feed(txnInput([], ['put ""  x'], []), 'txn'),
      feed('', 'txn'),
      feed('value("k") = "v"\n', 'txn'),
      run('get', '', '--from-key', '-w', 'json'),
    ],
  },
]
