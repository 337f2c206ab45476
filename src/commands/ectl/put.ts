import {Flags} from '@oclif/core'
import {EctlCommand, readStdin} from '../../cli/base.js'
import {buildPutRequest} from '../../cli/ops/put-op.js'
import {Limits} from '../../api/errors.js'

export default class Put extends EctlCommand {
  static override summary = 'Puts the given key into the store'
  static override description = `Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command reads the value from standard input (all of it, unchanged).

Prints OK; with --prev-kv, also the key-value pair it replaced.`
  static override examples = [
    '<%= config.bin %> put foo bar',
    '<%= config.bin %> put foo bar --prev-kv',
    'cat file | <%= config.bin %> put config/file',
    '<%= config.bin %> put foo --ignore-value --lease 694d77aa9e38260f',
    '<%= config.bin %> put -- foo -dash-leading-value',
  ]
  static override usage = 'put [options] <key> <value> (<value> can also be given from stdin)'
  static override etcdctl = {
    use: 'put [options] <key> <value> (<value> can also be given from stdin)',
    short: 'Puts the given key into the store',
    long: `Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.`,
  }
  static override flags = {
    lease: Flags.string({description: 'lease ID (in hexadecimal) to attach to the key', default: '0'}),
    'prev-kv': Flags.boolean({description: 'return the previous key-value pair before modification'}),
    'ignore-value': Flags.boolean({description: 'updates the key using its current value'}),
    'ignore-lease': Flags.boolean({description: 'updates the key using its current lease'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Put)
    // the value may come from stdin: read it before building (the builder is synchronous)
    const stdin = args.length === 1 && !flags['ignore-value'] ? await readStdin(Limits.maxRequestBytes * 2) : Buffer.alloc(0)
    const request = buildPutRequest(
      args.map((a) => Buffer.from(a)),
      {lease: flags.lease, prevKv: flags['prev-kv'], ignoreValue: flags['ignore-value'], ignoreLease: flags['ignore-lease']},
      () => stdin,
    )
    const resp = await (await this.client()).put(request)
    this.print('put', resp)
  }
}
