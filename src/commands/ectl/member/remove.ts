import {EctlCommand} from '../../../cli/base.js'
import {renderMembersResponse} from '../../../cli/cluster-print.js'
import {fullClient} from '../../../cli/endpoints.js'
import {parseMemberId} from '../../../cli/member-args.js'
import {hexId16} from '../../../cli/printers/cluster.js'

export default class MemberRemove extends EctlCommand {
  static override summary = 'Removes a member from the cluster'
  static override description = `Removes the member MEMBER_ID (hex, as member list prints it) from the cluster.

As etcd, a voting member is removed only if the started members left still make a quorum: the
only member of a one-member cluster cannot be removed.`
  static override examples = ['<%= config.bin %> member remove 8211f1d0f64f3269']
  static override usage = 'member remove <memberID>'
  static override etcdctl = {use: 'remove <memberID>', short: 'Removes a member from the cluster'}
  static override flags = {}

  async run(): Promise<void> {
    const {args} = await this.parseEtcdctl(MemberRemove)
    const id = parseMemberId(args)
    const format = this.format
    const response = await fullClient(await this.client()).memberRemove({ID: id})
    const rendered = renderMembersResponse(format, response)
    if (rendered !== undefined) return this.write(rendered)
    this.write(`Member ${hexId16(id)} removed from cluster ${hexId16(response.header?.clusterId ?? 0n)}\n`)
  }
}
