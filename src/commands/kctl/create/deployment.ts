import {KctlCommand, requiredFlagError} from '../../../cli/kube/base.js'
import {generatorFlags, kint, kslice} from '../../../cli/kube/flags.js'

export default class CreateDeployment extends KctlCommand {
  static override description = 'Create a deployment with the specified name.'
  static override aliases = ['create:deploy']
  static override usage = 'create deployment NAME --image=image -- [COMMAND] [args...]'
  static override examples = [
    '# Create a deployment named my-dep that runs the busybox image\n<%= config.bin %> create deployment my-dep --image=busybox',
    '# Create a deployment with a command\n<%= config.bin %> create deployment my-dep --image=busybox -- date',
    '# Create a deployment named my-dep that runs the nginx image with 3 replicas\n<%= config.bin %> create deployment my-dep --image=nginx --replicas=3',
    '# Create a deployment named my-dep that runs the busybox image and expose port 5701\n<%= config.bin %> create deployment my-dep --image=busybox --port=5701',
  ]
  static override flags = {
    ...generatorFlags,
    image: kslice({description: 'Image names to run. A deployment can have multiple images set for multi-container pod.'}),
    replicas: kint({char: 'r', description: 'Number of replicas to create. Default is 1.', default: 1}),
    port: kint({description: 'The containerPort that this deployment exposes.', default: -1}),
  }

  async run(): Promise<void> {
    const args = this.readArgv()
    const images = this.list('image')
    if (images.length === 0) throw requiredFlagError('image')
    const name = this.oneName(args)
    const {deploymentObject} = await import('../../../cli/kube/generators.js')
    const ns = await this.namespace()
    const port = this.int('port') ?? -1
    await this.submitGenerated(deploymentObject(name, ns.explicit ? ns.namespace : undefined, images, this.int('replicas') ?? 1, port >= 0 ? port : undefined, this.commandWords(args)))
  }
}
