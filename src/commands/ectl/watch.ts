import {Flags} from '@oclif/core'
import {spawn} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'
import {createInterface} from 'node:readline'
import {EtcdError} from '../../api/errors.js'
import {Event_EventType, type Event, type KeyValue} from '../../api/proto/kv.js'
import {WatchCreateRequest, WatchResponse} from '../../api/proto/rpc.js'
import {EctlCommand} from '../../cli/base.js'
import {badArgs, CliError, ExitCode} from '../../cli/exit.js'
import {goParseInt, goQuote, hexEscape} from '../../cli/go-format.js'
import {headerJson, kvJson} from '../../cli/printers/json.js'
import {tableUnsupported} from '../../cli/printers/printer.js'
import {cancelError, hasWatchAndLeases, prefixRangeEnd, type ConcurrencyClient} from '../../client/etcd/concurrency/index.js'

interface WatchOptions {
  key: string
  rangeEnd?: string
  prefix: boolean
  rev: bigint
  prevKv: boolean
  progressNotify: boolean
}

export default class Watch extends EctlCommand {
  static override summary = 'Watches events stream on keys or prefixes'
  static override description = `Watches a key, a range [KEY, RANGE_END) or a prefix and prints every event: its type
(PUT or DELETE), then the previous key and value with --prev-kv, then the key and value. -w json
prints each response as one JSON line, as etcdctl does.

With a command after "--", runs it once per event (after printing the event) with
ETCD_WATCH_REVISION, ETCD_WATCH_EVENT_TYPE, ETCD_WATCH_KEY and ETCD_WATCH_VALUE set (Go-quoted,
as etcdctl sets them); a failing command ends the watch (exit 1).
ETCDCTL_WATCH_KEY and ETCDCTL_WATCH_RANGE_END give the key and range end instead of arguments.
With -i, reads "watch [options] KEY [RANGE_END]" lines from stdin and runs each watch.
Runs until interrupted (SIGINT, SIGTERM: the watch is closed, then the process ends by that
signal, as etcdctl does); a watch the server cancels (e.g. a compacted --rev) prints why and
exits 5.`
  static override examples = [
    '<%= config.bin %> watch foo',
    '<%= config.bin %> watch --prefix /registry/pods/ --prev-kv',
    '<%= config.bin %> watch foo --rev 1 -w json',
    '<%= config.bin %> watch foo -- sh -c \'echo "$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY=$ETCD_WATCH_VALUE"\'',
    'ETCDCTL_WATCH_KEY=foo <%= config.bin %> watch',
    'printf "watch foo\\nwatch --prefix bar\\n" | <%= config.bin %> watch -i',
  ]
  static override usage = 'watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]'
  static override etcdctl = {
    use: 'watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]',
    short: 'Watches events stream on keys or prefixes',
    intFlags: ['rev'],
    since35: ['progress-notify'],
  }
  static override flags = {
    interactive: Flags.boolean({char: 'i', description: 'Interactive mode'}),
    prefix: Flags.boolean({description: 'Watch on a prefix if prefix is set'}),
    rev: Flags.string({description: 'Revision to start watching', default: '0'}),
    'prev-kv': Flags.boolean({description: 'get the previous key-value pair before the event happens'}),
    'progress-notify': Flags.boolean({description: 'get periodic watch progress notification from server'}),
  }

  private readonly stop = new AbortController()
  private signalled: NodeJS.Signals | undefined

  async run(): Promise<void> {
    const {flags, args} = await this.parseEtcdctl(Watch)
    const envKey = process.env.ETCDCTL_WATCH_KEY ?? ''
    const envRange = process.env.ETCDCTL_WATCH_RANGE_END ?? ''
    if (envKey === '' && envRange !== '') {
      throw badArgs(`ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${goQuote(envRange)}`)
    }
    const base = {prefix: flags.prefix, rev: BigInt(flags.rev), prevKv: flags['prev-kv'], progressNotify: flags['progress-notify']}
    if (flags.interactive) return this.interactive(base, envKey, envRange)

    const separator = this.argv.indexOf('--')
    const execArgs = separator < 0 ? [] : this.argv.slice(separator + 1)
    if (separator >= 0 && execArgs.length === 0) throw badArgs('bad number of arguments (found separator --, but no commands)')
    const positional = args.slice(0, args.length - execArgs.length)
    if (envKey !== '' && positional.length > 0) throw badArgs('bad number of arguments (found conflicting environment key)')
    const keys = envKey !== '' ? [envKey, ...(envRange === '' ? [] : [envRange])] : positional
    if (keys.length === 0) throw badArgs('bad number of arguments')
    if (keys.length >= 2 && flags.prefix) throw badArgs('`range_end` and `--prefix` are mutually exclusive')

    const client = await this.watchClient()
    this.onSignals()
    await this.printWatch(client, {...base, key: keys[0]!, rangeEnd: keys[1]}, execArgs)
    if (this.signalled === undefined) throw new CliError(ExitCode.interrupted, 'watch is canceled by the server')
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    // etcdctl dies by the signal it was sent (exit status 128 + n): so do we, once closed cleanly
    if (this.signalled !== undefined) {
      process.removeAllListeners(this.signalled)
      process.kill(process.pid, this.signalled)
    }
  }

  private async watchClient(): Promise<ConcurrencyClient> {
    const client = await this.client()
    if (!hasWatchAndLeases(client)) throw new CliError(ExitCode.error, 'this client has no watch service')
    return client
  }

  private onSignals(): void {
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      process.once(name, () => {
        this.signalled ??= name
        this.stop.abort()
      })
    }
  }

  /** Prints every response of one watch until it ends; runs the command per event. */
  private async printWatch(client: ConcurrencyClient, o: WatchOptions, execArgs: string[]): Promise<void> {
    const key = Buffer.from(o.key)
    let rangeEnd: Buffer = o.rangeEnd === undefined ? Buffer.alloc(0) : Buffer.from(o.rangeEnd)
    // clientv3's WithPrefix: an empty prefix means every key
    if (o.prefix) rangeEnd = key.length === 0 ? Buffer.from([0]) : prefixRangeEnd(key)
    // keep the process alive while the watch waits: the stream alone may hold no handle
    const alive = setInterval(() => undefined, 1 << 30)
    try {
      const stream = client.watch()
      this.stop.signal.addEventListener('abort', () => stream.close(), {once: true})
      stream.send({
        createRequest: WatchCreateRequest.fromPartial({key, rangeEnd, startRevision: o.rev, prevKv: o.prevKv, progressNotify: o.progressNotify}),
      })
      for await (const resp of stream) {
        if (resp.created) continue
        if (resp.canceled) process.stderr.write(`watch was canceled (${cancelError(resp).message})\n`)
        if (isProgressNotify(resp)) this.write(`progress notify: ${resp.header?.revision ?? 0n}\n`)
        this.write(this.renderWatch(resp))
        for (const event of resp.events) await runForEvent(execArgs, resp, event)
        if (resp.canceled) break
      }
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err
      process.stderr.write(`watch was canceled (${err.message})\n`)
    } finally {
      clearInterval(alive)
    }
  }

  private renderWatch(resp: WatchResponse): Buffer | string {
    switch (this.format) {
      case 'json':
        return watchJson(resp) + '\n'
      case 'fields':
        return watchFields(resp)
      case 'protobuf':
        return Buffer.from(WatchResponse.encode(resp).finish())
      case 'table':
        throw tableUnsupported()
      default:
        return watchSimple(resp, this.globals.hex)
    }
  }

  /** `-i`: one watch per `watch …` line of stdin, all printing as their events come. */
  private async interactive(base: Omit<WatchOptions, 'key'>, envKey: string, envRange: string): Promise<void> {
    const client = await this.watchClient()
    this.onSignals()
    const running: Promise<void>[] = []
    for await (const line of createInterface({input: process.stdin, crlfDelay: Infinity})) {
      const words = argify(line)
      if (words.length < 1) {
        process.stderr.write(`Invalid command: ${line} (watch and progress supported)\n`)
        continue
      }
      if (words[0] !== 'watch') {
        process.stderr.write(`Invalid command ${line} (only support watch)\n`)
        continue
      }
      try {
        const {options, execArgs} = parseWatchLine(words.slice(1), base, envKey, envRange)
        running.push(this.printWatch(client, options, execArgs))
      } catch (err) {
        process.stderr.write(`Invalid command ${line} (${(err as Error).message})\n`)
      }
    }
    // etcdctl stops at the end of its input, whatever its watches were doing
    this.stop.abort()
    await Promise.all(running)
    if (this.signalled === undefined) throw new CliError(ExitCode.invalidInput, 'Error reading watch request line: EOF')
  }
}

/** A response with nothing but a header: the server's progress notification. */
function isProgressNotify(r: WatchResponse): boolean {
  return r.events.length === 0 && !r.canceled && !r.created && r.compactRevision === 0n && (r.header?.revision ?? 0n) !== 0n
}

function kvLines(kv: KeyValue | undefined, hex: boolean): Buffer[] {
  if (kv === undefined) return []
  const show = (b: Buffer) => (hex ? Buffer.from(hexEscape(b)) : b)
  return [show(kv.key), Buffer.from('\n'), show(kv.value), Buffer.from('\n')]
}

const eventTypeName = (e: Event): string => (e.type === Event_EventType.DELETE ? 'DELETE' : 'PUT')

function watchSimple(r: WatchResponse, hex: boolean): Buffer {
  return Buffer.concat(
    r.events.flatMap((e) => [Buffer.from(eventTypeName(e) + '\n'), ...kvLines(e.prevKv, hex), ...kvLines(e.kv, hex)]),
  )
}

/** Go's encoding/json of clientv3.WatchResponse: untagged fields, the events as mvccpb.Event. */
function watchJson(r: WatchResponse): string {
  const events = r.events.map((e) => {
    const fields: string[] = []
    if (e.type !== Event_EventType.PUT) fields.push(`"type":${e.type}`)
    if (e.kv !== undefined) fields.push(`"kv":${kvJson(e.kv)}`)
    if (e.prevKv !== undefined) fields.push(`"prev_kv":${kvJson(e.prevKv)}`)
    return `{${fields.join(',')}}`
  })
  return (
    `{"Header":${headerJson(r.header) ?? '{}'},"Events":[${events.join(',')}],` +
    `"CompactRevision":${r.compactRevision},"Canceled":${r.canceled},"Created":false}`
  )
}

function watchFields(r: WatchResponse): string {
  const h = r.header
  const u64 = (v: bigint | undefined) => BigInt.asUintN(64, v ?? 0n).toString()
  let out = `"ClusterID" : ${u64(h?.clusterId)}\n"MemberID" : ${u64(h?.memberId)}\n"Revision" : ${h?.revision ?? 0n}\n"RaftTerm" : ${u64(h?.raftTerm)}\n`
  const kv = (prefix: string, k: KeyValue) =>
    `"${prefix}Key" : ${goQuote(k.key)}\n"${prefix}CreateRevision" : ${k.createRevision}\n"${prefix}ModRevision" : ${k.modRevision}\n` +
    `"${prefix}Version" : ${k.version}\n"${prefix}Value" : ${goQuote(k.value)}\n"${prefix}Lease" : ${k.lease}\n`
  for (const e of r.events) {
    out += `"Type" : ${eventTypeName(e)}\n`
    if (e.prevKv !== undefined) out += kv('Prev', e.prevKv)
    if (e.kv !== undefined) out += kv('', e.kv)
  }
  return out
}

/** Runs the watch's command for one event, as etcdctl does (a failure ends the watch, exit 1). */
async function runForEvent(execArgs: string[], resp: WatchResponse, event: Event): Promise<void> {
  if (execArgs.length === 0) return
  const env = {
    ...process.env,
    ETCD_WATCH_REVISION: String(resp.header?.revision ?? 0n),
    ETCD_WATCH_EVENT_TYPE: goQuote(eventTypeName(event)),
    ETCD_WATCH_KEY: goQuote(event.kv?.key ?? Buffer.alloc(0)),
    ETCD_WATCH_VALUE: goQuote(event.kv?.value ?? Buffer.alloc(0)),
  }
  const failure = await runGoCommand(execArgs, env)
  if (failure !== undefined) {
    process.stderr.write(`command [${execArgs.map((a) => goQuote(a)).join(' ')}] error (${failure})\n`)
    process.exit(1)
  }
}

/**
 * Runs a command with stdout and stderr shared, as Go's exec.Cmd.Run does; resolves with Go's
 * wording of the failure (`exit status 3`, `signal: killed`, `fork/exec …`) or undefined.
 */
export function runGoCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const [name, ...rest] = argv
  if (name === undefined) return Promise.resolve('exec: no command')
  if (!name.includes('/') && lookPath(name, env.PATH ?? '') === undefined) {
    return Promise.resolve(`exec: ${goQuote(name)}: executable file not found in $PATH`)
  }
  return new Promise((resolve) => {
    const child = spawn(name, rest, {env, stdio: ['inherit', 'inherit', 'inherit']})
    child.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message
      resolve(`fork/exec ${name}: ${reason}`)
    })
    child.once('exit', (code, signal) => {
      if (signal !== null) resolve(`signal: ${goSignalName[signal] ?? signal}`)
      else resolve(code === 0 ? undefined : `exit status ${code}`)
    })
  })
}

const goSignalName: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGQUIT: 'quit',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGPIPE: 'broken pipe',
}

function lookPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** etcdctl's argify: words split on spaces, a double-quoted run is one word (quotes dropped). */
function argify(line: string): string[] {
  const words: string[] = []
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2]!)
  return words
}

/** One `watch …` line of -i: its own flags on top of the command's, then key, range end, `--` command. */
function parseWatchLine(
  words: string[],
  base: Omit<WatchOptions, 'key'>,
  envKey: string,
  envRange: string,
): {options: WatchOptions; execArgs: string[]} {
  const separator = words.indexOf('--')
  if (separator === words.length - 1) throw new Error('bad number of arguments (found separator --, but no commands)')
  const execArgs = separator < 0 ? [] : words.slice(separator + 1)
  const own = separator < 0 ? words : words.slice(0, separator)
  const o = {...base, prefix: false, rev: 0n, prevKv: false}
  const positional: string[] = []
  for (let i = 0; i < own.length; i++) {
    const w = own[i]!
    if (w === '--prefix') o.prefix = true
    else if (w === '--prev-kv') o.prevKv = true
    else if (w === '--rev' || w.startsWith('--rev=')) {
      const value = w === '--rev' ? own[++i] : w.slice('--rev='.length)
      if (value === undefined) throw new Error('flag needs an argument: --rev')
      o.rev = goParseInt(value, 10)
    } else if (w.startsWith('-')) throw new Error(`unknown flag: ${w}`)
    else positional.push(w)
  }
  const keys = envKey !== '' ? [envKey, ...(envRange === '' ? [] : [envRange]), ...positional] : positional
  if (keys.length === 0) throw new Error('bad number of arguments')
  if (keys.length >= 2 && o.prefix) throw new Error('`range_end` and `--prefix` are mutually exclusive')
  return {options: {...o, key: keys[0]!, rangeEnd: keys[1]}, execArgs}
}
