import {KctlCommand} from '../../../cli/kube/base.js'
import {generatorFlags, kstring} from '../../../cli/kube/flags.js'

export default class CreateCronJob extends KctlCommand {
  static override description = 'Create a cron job with the specified name.'
  static override aliases = ['create:cj']
  static override usage = 'create cronjob NAME --image=image --schedule=\'0/5 * * * ?\' -- [COMMAND] [args...]'
  static override examples = [
    '# Create a cron job\n<%= config.bin %> create cronjob my-job --image=busybox --schedule="*/1 * * * *"',
    '# Create a cron job with a command\n<%= config.bin %> create cronjob my-job --image=busybox --schedule="*/1 * * * *" -- date',
  ]
  static override flags = {
    ...generatorFlags,
    image: kstring({description: 'Image name to run.'}),
    schedule: kstring({description: 'A schedule in the Cron format the job should be run with.'}),
    restart: kstring({description: "job's restart policy. supported values: OnFailure, Never"}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const image = this.required('image')
    const schedule = this.required('schedule')
    const name = this.oneName(args)
    const {cronJobObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    await this.submitGenerated(cronJobObject(name, ns.explicit ? ns.namespace : undefined, image, schedule, this.commandWords(args), this.str('restart') || 'OnFailure'))
  }
}
