import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {badArgs} from '../../cli/exit.js'
import {readTxn} from '../../cli/txn/grammar.js'
import {promptLines, streamLines} from '../../cli/txn/stdin-lines.js'

export default class Txn extends EctlCommand {
  static override summary = 'Txn processes all the requests in one transaction'
  static override description = `Txn reads multiple etcd requests from standard input and applies them as a single atomic transaction.

A transaction consists of three components, each ended by a blank line:
1) a list of conditions,
2) a list of requests to apply if all the conditions are true,
3) a list of requests to apply if any condition is false.

Conditions: TARGET("KEY") OP "VALUE", TARGET one of ver/version, c/create, m/mod,
val/value, lease (hex id); OP one of =, !=, <, >. Requests: get, put and del lines with
their flags, e.g. "put k v --prev-kv" or "get k --prefix".

Prints SUCCESS or FAILURE, then each response after a blank line; -w json prints the whole
TxnResponse. With -i on a terminal each section is prompted for.`
  static override examples = [
    {
      description: 'Overwrite key1 if it exists, otherwise create key1 and key2',
      command: `printf 'mod("key1") > "0"\\n\\nput key1 "overwrote-key1"\\n\\nput key1 "created-key1"\\nput key2 "some extra key"\\n\\n' | <%= config.bin %> txn`,
    },
    {description: 'Prompt for each section', command: '<%= config.bin %> txn -i'},
    {
      description: 'Compare a value and read the key in the same revision',
      command: `printf 'val("k") = "v"\\n\\nget k\\n\\n\\n' | <%= config.bin %> txn -w json`,
    },
  ]
  static override usage = 'txn [options]'
  static override etcdctl = {use: 'txn [options]', short: 'Txn processes all the requests in one transaction'}
  static override flags = {
    interactive: Flags.boolean({char: 'i', description: 'Input transaction in interactive mode'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Txn)
    if (args.length !== 0) throw badArgs('txn command does not accept argument')
    const onTerminal = process.stdin.isTTY === true
    const source =
      flags.interactive && onTerminal ? promptLines() : streamLines(process.stdin, flags.interactive ? process.stdout : undefined)
    const request = await readTxn(source)
    const resp = await (await this.client()).txn(request)
    this.print('txn', resp)
  }
}
