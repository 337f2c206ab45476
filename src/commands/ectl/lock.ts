import {Flags} from '@oclif/core'
import {EctlCommand} from '../../cli/base.js'
import {badArgs, CliError, ExitCode, type ExitCodeValue} from '../../cli/exit.js'
import {hasWatchAndLeases, Mutex, Session} from '../../client/etcd/concurrency/index.js'
import {runGoCommand} from './watch.js'

export default class Lock extends EctlCommand {
  static override summary = 'Acquires a named lock'
  static override description = `Acquires the lock NAME (etcd's key layout: NAME/<lease id>, so ectl and etcdctl lockers
exclude each other) and holds it on a session lease of --ttl seconds kept alive meanwhile.

Without a command, prints the lock key and holds the lock until SIGINT or SIGTERM, then releases
it. With a command (after "--" if it has flags), runs it holding the lock with ETCD_LOCK_KEY and
ETCD_LOCK_REV set, releases the lock and exits with the command's exit code (etcdctl 3.4 exits 1
whenever the command fails; both print "Error: exit status N"). A holder that dies without
releasing loses the lock when its lease expires, --ttl seconds later.`
  static override examples = [
    '<%= config.bin %> lock mylock',
    '<%= config.bin %> lock mylock -- sh -c \'echo "holding $ETCD_LOCK_KEY"; sleep 5\'',
    '<%= config.bin %> lock --ttl 5 backups -- ./backup.sh',
  ]
  static override usage = 'lock <lockname> [exec-command arg1 arg2 ...]'
  static override etcdctl = {use: 'lock <lockname> [exec-command arg1 arg2 ...]', short: 'Acquires a named lock', intFlags: ['ttl']}
  static override flags = {
    ttl: Flags.string({description: 'timeout for session', default: '10'}),
  }

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Lock)
    if (args.length === 0) throw badArgs('lock takes a lock name argument and an optional command to execute')
    const [name, ...command] = args as [string, ...string[]]
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no lease service')

    const stop = new AbortController()
    const onSignal = (): void => stop.abort()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const session = await Session.create(client, {ttlSeconds: Number(flags.ttl)})
    try {
      const mutex = new Mutex(session, name)
      try {
        await mutex.lock(stop.signal)
      } catch (err) {
        // interrupted while waiting: lock() gave our place back; nothing to report
        if (stop.signal.aborted) return
        throw err
      }
      if (command.length > 0) {
        const env = {...process.env, ETCD_LOCK_KEY: mutex.key.toString('latin1'), ETCD_LOCK_REV: String(mutex.header?.revision ?? 0n)}
        const failure = await runGoCommand(command, env)
        await mutex.unlock()
        if (failure !== undefined) {
          const status = /^exit status (\d+)$/.exec(failure)
          throw new CliError((status === null ? ExitCode.error : Number(status[1])) as ExitCodeValue, failure)
        }
        return
      }
      const held = await client.range({key: mutex.key})
      if (held.kvs.length === 0) throw new CliError(ExitCode.error, 'lock lost on init')
      this.print('range', held)
      const aborted = new Promise<'signal'>((resolve) => stop.signal.addEventListener('abort', () => resolve('signal'), {once: true}))
      const ended = await Promise.race([aborted, session.done])
      if (ended !== 'signal') throw new CliError(ExitCode.error, 'session expired')
      await mutex.unlock()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      // as etcdctl: the lease is left to expire (its keys are already gone)
      session.orphan()
    }
  }
}
