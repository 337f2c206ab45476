import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../cli/exit.js'
import {Election, hasWatchAndLeases, Session} from '../../client/etcd/concurrency/index.js'

export default class Elect extends EctlCommand {
  static override summary = 'Observes and participates in leader election'
  static override description = `Campaigns in the election NAME with PROPOSAL as its value (etcd's key layout: NAME/<lease id>,
so ectl and etcdctl candidates compete in the same election). Once elected, prints the leader
key and value and leads until SIGINT or SIGTERM, then resigns.

With -l, observes instead: prints the leader key and value each time the leader changes or
proclaims a new value, until interrupted.`
  static override examples = [
    '<%= config.bin %> elect myelection node-a',
    '<%= config.bin %> elect -l myelection',
  ]
  static override usage = 'elect <election-name> [proposal]'
  static override etcdctl = {use: 'elect <election-name> [proposal]', short: 'Observes and participates in leader election'}
  static override flags = {
    listen: Flags.boolean({char: 'l', description: 'observation mode'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Elect)
    if (args.length !== 1 && args.length !== 2) throw badArgs('elect takes one election name argument and an optional proposal argument')
    if (flags.listen && args.length === 2) throw badArgs('proposal given but -l is set')
    if (!flags.listen && args.length !== 2) throw badArgs('no proposal argument but -l not set')
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')

    const stop = new AbortController()
    const onSignal = (): void => stop.abort()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // keeps the process alive while it only waits on streams
    const alive = setInterval(() => undefined, 1 << 30)
    const session = await Session.create(client)
    try {
      const election = new Election(session, args[0]!)
      if (flags.listen) {
        for await (const leader of election.observe(stop.signal)) this.print('range', leader)
        if (!stop.signal.aborted) throw new CliError(ExitCode.error, 'elect: observer lost')
        return
      }
      try {
        await election.campaign(args[1]!, stop.signal)
      } catch (err) {
        if (stop.signal.aborted) return
        throw err
      }
      this.print('range', await client.range({key: election.key}))
      const aborted = new Promise<'signal'>((resolve) => stop.signal.addEventListener('abort', () => resolve('signal'), {once: true}))
      if ((await Promise.race([aborted, session.done])) !== 'signal') throw new CliError(ExitCode.error, 'elect: session expired')
      await election.resign()
    } finally {
      clearInterval(alive)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // as etcdctl: the lease is left to expire (its keys are already gone)
      session.orphan()
    }
  }
}
