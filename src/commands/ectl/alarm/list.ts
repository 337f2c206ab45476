import {AlarmRequest_AlarmAction} from '../../../api/proto/rpc.js'
import {renderAlarms} from '../../../cli/alarm-print.js'
import {EctlCommand} from '../../../cli/base.js'
import {fullClient} from '../../../cli/endpoints.js'

export default class AlarmList extends EctlCommand {
  static override summary = 'Lists all alarms'
  static override description = `Lists the active alarms of the cluster (NOSPACE when the backend reached its quota,
CORRUPT when members disagree), one "memberID:ID alarm:TYPE" line each; nothing when none.`
  static override examples = ['<%= config.bin %> alarm list', '<%= config.bin %> alarm list -w json']
  static override usage = 'alarm list'
  static override etcdctl = {use: 'list', short: 'Lists all alarms'}
  static override flags = {}

  async run(): Promise<void> {
    await this.parseEtcdctl(AlarmList)
    const format = this.format
    const response = await fullClient(await this.client()).alarm({action: AlarmRequest_AlarmAction.GET})
    this.write(renderAlarms(format, response))
  }
}
