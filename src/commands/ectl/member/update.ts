import {Flags} from '@oclif/core'
import {EctlCommand} from '../../../cli/base.js'
import {renderMembersResponse} from '../../../cli/cluster-print.js'
import {fullClient} from '../../../cli/endpoints.js'
import {parseMemberId, parsePeerUrls} from '../../../cli/member-args.js'
import {hexId16} from '../../../cli/printers/cluster.js'

export default class MemberUpdate extends EctlCommand {
  static override summary = 'Updates a member in the cluster'
  static override description = `Sets the peer URLs of the member MEMBER_ID (hex).

A learner stays a learner (etcd 3.4 lists an updated learner as a voting member; it is not).`
  static override examples = ['<%= config.bin %> member update 8211f1d0f64f3269 --peer-urls=http://10.0.0.1:2380']
  static override usage = 'member update <memberID> [options]'
  static override etcdctl = {use: 'update <memberID> [options]', short: 'Updates a member in the cluster'}
  static override flags = {
    'peer-urls': Flags.string({description: 'comma separated peer URLs for the updated member.'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(MemberUpdate)
    const id = parseMemberId(args)
    const peerURLs = parsePeerUrls(flags['peer-urls'])
    const format = this.format
    const response = await fullClient(await this.client()).memberUpdate({ID: id, peerURLs})
    const rendered = renderMembersResponse(format, response)
    if (rendered !== undefined) return this.write(rendered)
    this.write(`Member ${hexId16(id)} updated in cluster ${hexId16(response.header?.clusterId ?? 0n)}\n`)
  }
}
