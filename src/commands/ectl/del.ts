import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {buildDeleteRequest} from '../../cli/ops/del-op.js'

export default class Del extends EctlCommand {
  static override summary = 'Removes the specified key or range of keys [key, range_end)'
  static override description = `Removes the specified key or range of keys [KEY, RANGE_END).

Prints the number of keys deleted; with --prev-kv, each deleted key and value after it.`
  static override examples = [
    '<%= config.bin %> del foo',
    '<%= config.bin %> del foo foz',
    '<%= config.bin %> del --prefix app/ --prev-kv',
    '<%= config.bin %> del --from-key b -w json',
  ]
  static override usage = 'del [options] <key> [range_end]'
  static override etcdctl = {use: 'del [options] <key> [range_end]', short: 'Removes the specified key or range of keys [key, range_end)'}
  static override flags = {
    prefix: Flags.boolean({description: 'delete keys with matching prefix'}),
    'prev-kv': Flags.boolean({description: 'return deleted key-value pairs'}),
    'from-key': Flags.boolean({description: 'delete keys that are greater than or equal to the given key using byte compare'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Del)
    const request = buildDeleteRequest(
      args.map((a) => Buffer.from(a)),
      {prefix: flags.prefix, fromKey: flags['from-key'], prevKv: flags['prev-kv']},
    )
    const resp = await (await this.client()).deleteRange(request)
    this.print('delete', resp)
  }
}
