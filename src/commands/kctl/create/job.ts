import {KctlCommand} from '../../../cli/kube/base.js'
import {KctlError} from '../../../cli/kube/errors.js'
import {generatorFlags, kstring} from '../../../cli/kube/flags.js'

export default class CreateJob extends KctlCommand {
  static override description = 'Create a job with the specified name.'
  static override usage = 'create job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]'
  static override examples = [
    '# Create a job\n<%= config.bin %> create job my-job --image=busybox',
    '# Create a job with a command\n<%= config.bin %> create job my-job --image=busybox -- date',
  ]
  static override flags = {
    ...generatorFlags,
    image: kstring({description: 'Image name to run.'}),
    from: kstring({description: "The name of the resource to create a Job from (only cronjob is supported)."}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const name = this.oneName(args)
    const image = this.str('image')
    if (image === undefined || image === '') throw new KctlError('either --image or --from must be specified')
    const {jobObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    await this.submitGenerated(jobObject(name, ns.explicit ? ns.namespace : undefined, image, this.commandWords(args)))
  }
}
