import {MoveLeaderResponse} from '../../api/proto/rpc.js'
import {EctlCommand} from '../../cli/base.js'
import {endpointsOf} from '../../cli/endpoints.js'
import {badArgs, CliError, ExitCode} from '../../cli/exit.js'
import {headerJson} from '../../cli/printers/json.js'
import {tableUnsupported} from '../../cli/printers/printer.js'

export default class MoveLeader extends EctlCommand {
  static override summary = 'Transfers leadership to another etcd cluster member.'
  static override description = `Finds the leader among the endpoints and asks it to hand leadership to the member
TRANSFEREE_ID (hex). A one-member cluster is its own leader: moving to itself succeeds, to any
other id fails with "bad leader transferee".`
  static override examples = ['<%= config.bin %> move-leader 8211f1d0f64f3269', '<%= config.bin %> --endpoints=127.0.0.1:2379,127.0.0.1:22379 move-leader 91bc3c398fb3c146']
  static override usage = 'move-leader <transferee-member-id>'
  static override etcdctl = {use: 'move-leader <transferee-member-id>', short: 'Transfers leadership to another etcd cluster member.'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(MoveLeader)
    if (args.length !== 1) throw badArgs('move-leader command needs 1 argument')
    const text = args[0]!
    if (!/^[0-9a-fA-F]+$/.test(text)) throw badArgs(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`)
    if (BigInt('0x' + text) > 0xffffffffffffffffn) throw badArgs(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`)
    const target = BigInt('0x' + text)
    const format = this.format
    const endpoints = await endpointsOf(this.globals, false)
    for (const endpoint of endpoints) {
      const client = await endpoint.open()
      try {
        const status = await client.status()
        if (status.header?.memberId !== status.leader) continue
        const response = await client.moveLeader({targetID: target})
        switch (format) {
          case 'json':
            return this.write(`{${headerJson(response.header) === undefined ? '' : `"header":${headerJson(response.header)}`}}\n`)
          case 'protobuf':
            return this.write(Buffer.from(MoveLeaderResponse.encode(response).finish()))
          case 'table':
            throw tableUnsupported()
          default:
            return this.write(`Leadership transferred from ${status.leader.toString(16)} to ${target.toString(16)}\n`)
        }
      } finally {
        await client.close()
      }
    }
    throw new CliError(ExitCode.badArgs, `no leader endpoint given at [${endpoints.map((e) => e.name).join(' ')}]`)
  }
}
