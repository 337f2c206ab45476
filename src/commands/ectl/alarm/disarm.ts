import {AlarmRequest_AlarmAction} from '../../../api/proto/rpc.js'
import {renderAlarms} from '../../../cli/alarm-print.js'
import {EctlCommand} from '../../../cli/base.js'
import {fullClient} from '../../../cli/endpoints.js'

export default class AlarmDisarm extends EctlCommand {
  static override summary = 'Disarms all alarms'
  static override description = `Clears every active alarm (after freeing space: compaction, defrag) and prints the alarms it
cleared, as alarm list prints them.`
  static override examples = ['<%= config.bin %> alarm disarm', '<%= config.bin %> compaction 1000 && <%= config.bin %> defrag && <%= config.bin %> alarm disarm']
  static override usage = 'alarm disarm'
  static override etcdctl = {use: 'disarm', short: 'Disarms all alarms'}
  static override flags = {}

  async run(): Promise<void> {
    await this.parseEtcdctl(AlarmDisarm)
    const format = this.format
    const response = await fullClient(await this.client()).alarm({action: AlarmRequest_AlarmAction.DEACTIVATE})
    this.write(renderAlarms(format, response))
  }
}
