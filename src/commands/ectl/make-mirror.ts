import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {openClient} from '../../cli/connect.js'
import {badArgs, CliError, ExitCode} from '../../cli/exit.js'
import {mirror} from '../../cli/mirror.js'
import {hasWatchAndLeases} from '../../client/etcd/concurrency/index.js'

/** etcdctl prints the count of mirrored keys this often. */
const PRINT_EVERY_MS = 30_000

export default class MakeMirror extends EctlCommand {
  static override summary = 'Makes a mirror at the destination etcd cluster'
  static override description = `Copies every key under --prefix to DESTINATION, then keeps following the changes (puts and
deletes, one destination txn per source revision) until interrupted. Every 30 seconds it prints
how many keys it has put or deleted so far.

Keys keep their prefix unless --dest-prefix replaces it, or --no-dest-prefix mirrors them to the
root of the destination. DESTINATION is an endpoint (host:port or a URL); ectl also takes a data
dir path there, to mirror into a local engine.`
  static override examples = [
    '<%= config.bin %> make-mirror 10.0.0.2:2379',
    '<%= config.bin %> make-mirror --prefix /app/ --dest-prefix /backup/app/ 10.0.0.2:2379',
    '<%= config.bin %> --data-dir ./prod make-mirror --prefix /app/ --no-dest-prefix ./copy',
  ]
  static override usage = 'make-mirror [options] <destination>'
  static override etcdctl = {use: 'make-mirror [options] <destination>', short: 'Makes a mirror at the destination etcd cluster'}
  static override flags = {
    prefix: Flags.string({description: 'Key-value prefix to mirror', default: ''}),
    'dest-prefix': Flags.string({description: 'destination prefix to mirror a prefix to a different prefix in the destination cluster', default: ''}),
    'no-dest-prefix': Flags.boolean({description: 'mirror key-values to the root of the destination cluster'}),
    'dest-cert': Flags.string({description: 'Identify secure client using this TLS certificate file for the destination cluster'}),
    'dest-key': Flags.string({description: 'Identify secure client using this TLS key file'}),
    'dest-cacert': Flags.string({description: 'Verify certificates of TLS enabled secure servers using this CA bundle'}),
    'dest-insecure-transport': Flags.boolean({description: 'Disable transport security for client connections', default: true, allowNo: false}),
    'dest-user': Flags.string({description: 'Destination username[:password] for authentication (prompt if password is not supplied)'}),
    'dest-password': Flags.string({description: "Destination password for authentication (if this option is used, --user option shouldn't include password)"}),
  }

  private signalled: NodeJS.Signals | undefined

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(MakeMirror)
    if (args.length !== 1) throw badArgs('make-mirror takes one destination argument')
    const destination = args[0]!
    const source = await this.client()
    if (!hasWatchAndLeases(source)) throw new CliError(ExitCode.error, 'this client has no watch service')
    if (flags['no-dest-prefix'] && flags['dest-prefix'] !== '') {
      throw badArgs('`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one')
    }
    const destPrefix = flags['no-dest-prefix'] ? '' : flags['dest-prefix'] === '' ? flags.prefix : flags['dest-prefix']
    // an endpoint has a port or a scheme; anything else names a data dir
    const isEndpoint = /^[a-z]+:\/\//i.test(destination) || /:\d+$/.test(destination)
    let dest
    try {
      dest = await openClient(isEndpoint ? {endpoints: [destination]} : {dataDir: destination})
    } catch (error) {
      throw new CliError(ExitCode.badConnection, (error as Error).message)
    }
    const stop = new AbortController()
    const onSignal = (name: NodeJS.Signals) => {
      this.signalled ??= name
      stop.abort()
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let total = 0
    const printer = setInterval(() => this.write(`${total}\n`), PRINT_EVERY_MS)
    try {
      await mirror(source, dest, {
        prefix: Buffer.from(flags.prefix),
        destPrefix: Buffer.from(destPrefix),
        signal: stop.signal,
        counted: () => void total++,
      })
    } finally {
      clearInterval(printer)
      await dest.close()
    }
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    // as etcdctl, it dies by the signal it was sent (exit status 128 + n), once closed cleanly
    if (this.signalled !== undefined) {
      process.removeAllListeners(this.signalled)
      process.kill(process.pid, this.signalled)
    }
  }
}
