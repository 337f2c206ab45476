import {EctlCommand} from '../../../cli/base.js'
import {renderMembersResponse} from '../../../cli/cluster-print.js'
import {fullClient} from '../../../cli/endpoints.js'
import {parseMemberId} from '../../../cli/member-args.js'
import {hexId16} from '../../../cli/printers/cluster.js'

export default class MemberPromote extends EctlCommand {
  static override summary = 'Promotes a non-voting member in the cluster'
  static override description = `Promotes the learner MEMBER_ID (hex) to a voting member once it has caught up with the leader.

A voting member cannot be promoted ("can only promote a learner member"), nor a learner that
has not started and caught up.`
  static override examples = ['<%= config.bin %> member promote 8211f1d0f64f3269']
  static override usage = 'member promote <memberID>'
  static override etcdctl = {use: 'promote <memberID>', short: 'Promotes a non-voting member in the cluster'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(MemberPromote)
    const id = parseMemberId(args)
    const format = this.format
    const response = await fullClient(await this.client()).memberPromote({ID: id})
    const rendered = renderMembersResponse(format, response)
    if (rendered !== undefined) return this.write(rendered)
    this.write(`Member ${hexId16(id)} promoted in cluster ${hexId16(response.header?.clusterId ?? 0n)}\n`)
  }
}
