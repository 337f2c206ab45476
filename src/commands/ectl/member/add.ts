import {Flags} from '@oclif/core'
import {EctlCommand} from '../../../cli/base.js'
import {renderMembersResponse} from '../../../cli/cluster-print.js'
import {fullClient} from '../../../cli/endpoints.js'
import {badArgs} from '../../../cli/exit.js'
import {goQuote} from '../../../cli/go-format.js'
import {parsePeerUrls} from '../../../cli/member-args.js'
import {hexId16} from '../../../cli/printers/cluster.js'

export default class MemberAdd extends EctlCommand {
  static override summary = 'Adds a member into the cluster'
  static override description = `Adds a member into the cluster, then prints the settings (ETCD_NAME,
ETCD_INITIAL_CLUSTER, ...) to start it with.

The member joins "unstarted"; --learner adds it as a non-voting learner (one at a time), to be
promoted once it has caught up. Start it with those settings (ectl server --initial-cluster
"$ETCD_INITIAL_CLUSTER" --initial-cluster-state existing …): it catches up from the leader.
A voting member counts towards the quorum at once, so the cluster needs it running; a voting
member is added only while the started members would still make a quorum. On a single
ectl server (no --initial-cluster) the member is only listed: that engine has no Raft to
replicate to it.`
  static override examples = [
    '<%= config.bin %> member add infra2 --peer-urls=http://10.0.0.2:2380',
    '<%= config.bin %> member add infra3 --peer-urls=http://10.0.0.3:2380 --learner',
  ]
  static override usage = 'member add <memberName> [options]'
  static override etcdctl = {use: 'add <memberName> [options]', short: 'Adds a member into the cluster'}
  static override flags = {
    'peer-urls': Flags.string({description: 'comma separated peer URLs for the new member.'}),
    learner: Flags.boolean({description: 'indicates if the new member is raft learner'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(MemberAdd)
    if (args.length < 1) throw badArgs('member name not provided')
    if (args.length > 1) {
      let message = 'too many arguments'
      for (const arg of args) if (arg.toLowerCase().startsWith('http')) message += `, did you mean --peer-urls=${arg}`
      throw badArgs(message)
    }
    const name = args[0]!
    const peerURLs = parsePeerUrls(flags['peer-urls'])
    const format = this.format
    const client = fullClient(await this.client())
    const response = await client.memberAdd({peerURLs, isLearner: flags.learner})
    const rendered = renderMembersResponse(format, response)
    if (rendered !== undefined) return this.write(rendered)
    const added = response.member!
    let out = `Member ${hexId16(added.ID)} added to cluster ${hexId16(response.header?.clusterId ?? 0n)}\n`
    const list = await client.memberList({})
    const conf = list.members.flatMap((m) => m.peerURLs.map((url) => `${m.ID === added.ID ? name : m.name}=${url}`))
    out += '\n'
    out += `ETCD_NAME=${goQuote(name)}\n`
    out += `ETCD_INITIAL_CLUSTER=${goQuote(conf.join(','))}\n`
    out += `ETCD_INITIAL_ADVERTISE_PEER_URLS=${goQuote(peerURLs.join(','))}\n`
    out += 'ETCD_INITIAL_CLUSTER_STATE="existing"\n'
    this.write(out)
  }
}
