import {MemberListResponse} from '../../../api/proto/rpc.js'
import {EctlCommand} from '../../../cli/base.js'
import {fullClient} from '../../../cli/endpoints.js'
import {memberListHeader, memberRows, membersResponseFields, membersResponseJson} from '../../../cli/printers/cluster.js'
import {renderTable} from '../../../cli/printers/table.js'

export default class MemberList extends EctlCommand {
  static override summary = 'Lists all members in the cluster'
  static override description = `Lists all members in the cluster.

When --write-out is set to simple, this command prints out comma-separated member lists for
each endpoint. The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is
Learner. A member is "started" once it runs and has published its name; a member added but
not yet started is "unstarted" with an empty name and no client URLs.`
  static override examples = [
    '<%= config.bin %> member list',
    '<%= config.bin %> member list -w table',
    '<%= config.bin %> member list -w json',
  ]
  static override usage = 'member list'
  static override etcdctl = {use: 'list', short: 'Lists all members in the cluster'}
  static override flags = {}

  async run(): Promise<void> {
    await this.parseEtcdctl(MemberList)
    const format = this.format
    const response = await fullClient(await this.client()).memberList({})
    switch (format) {
      case 'json':
        return this.write(membersResponseJson(response) + '\n')
      case 'fields':
        return this.write(membersResponseFields({header: response.header, members: response.members}))
      case 'protobuf':
        return this.write(Buffer.from(MemberListResponse.encode(response).finish()))
      case 'table':
        return this.write(await renderTable(memberListHeader, memberRows(response)))
      default:
        return this.write(memberRows(response).map((row) => row.join(', ') + '\n').join(''))
    }
  }
}
