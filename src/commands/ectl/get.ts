import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {badArgs} from '../../cli/exit.js'
import {buildRangeRequest} from '../../cli/ops/get-op.js'

export default class Get extends EctlCommand {
  static override summary = 'Gets the key or a range of keys'
  static override description = `Gets the key or a range of keys [KEY, RANGE_END) if RANGE_END is given.

With --prefix, every key starting with KEY; with --from-key, every key >= KEY (byte order).
The default output prints each key on one line and its value on the next; -w json prints the
whole RangeResponse as etcdctl does (keys and values base64), -w fields one field per line.
--count-only needs -w fields; --print-value-only needs -w simple.`
  static override examples = [
    '<%= config.bin %> get foo',
    '<%= config.bin %> get foo foz',
    '<%= config.bin %> get --prefix /registry/ --keys-only',
    '<%= config.bin %> get --from-key a --limit 10 --sort-by MODIFY --order DESCEND',
    '<%= config.bin %> get foo --rev 3 -w json',
    '<%= config.bin %> get --prefix app/ --count-only -w fields',
  ]
  static override usage = 'get [options] <key> [range_end]'
  static override etcdctl = {
    use: 'get [options] <key> [range_end]',
    short: 'Gets the key or a range of keys',
    intFlags: ['limit', 'rev'],
    since35: ['count-only'],
  }
  static override flags = {
    consistency: Flags.string({description: 'Linearizable(l) or Serializable(s)', default: 'l'}),
    order: Flags.string({description: 'Order of results; ASCEND or DESCEND (ASCEND by default)', default: ''}),
    'sort-by': Flags.string({description: 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION', default: ''}),
    limit: Flags.string({description: 'Maximum number of results', default: '0'}),
    prefix: Flags.boolean({description: 'Get keys with matching prefix'}),
    'from-key': Flags.boolean({description: 'Get keys that are greater than or equal to the given key using byte compare'}),
    rev: Flags.string({description: 'Specify the kv revision', default: '0'}),
    'keys-only': Flags.boolean({description: 'Get only the keys'}),
    'count-only': Flags.boolean({description: 'Get only the count'}),
    'print-value-only': Flags.boolean({description: 'Only write values when using the "simple" output format'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Get)
    const request = buildRangeRequest(
      args.map((a) => Buffer.from(a)),
      {
        consistency: flags.consistency,
        order: flags.order,
        sortBy: flags['sort-by'],
        limit: BigInt(flags.limit),
        rev: BigInt(flags.rev),
        prefix: flags.prefix,
        fromKey: flags['from-key'],
        keysOnly: flags['keys-only'],
        countOnly: flags['count-only'],
      },
    )
    const client = await this.client()
    const resp = await client.range(request)
    // etcdctl checks these after the request, against the printer it made
    if (flags['count-only'] && this.format !== 'fields') throw badArgs('--count-only is only for `--write-out=fields`')
    if (flags['print-value-only'] && this.format !== 'simple') {
      throw badArgs('print-value-only is only for `--write-out=simple`')
    }
    this.print('range', resp, {valueOnly: flags['print-value-only']})
  }
}
