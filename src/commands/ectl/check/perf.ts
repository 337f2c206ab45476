import {Flags} from '@oclif/core'
import {randomBytes} from 'node:crypto'
import {EctlCommand} from '../../../cli/base.js'
import {fullClient} from '../../../cli/endpoints.js'
import {badFeature, CliError, ExitCode, invalidInput} from '../../../cli/exit.js'
import {PerfReport, verdict} from '../../../cli/perf-report.js'

/** etcdctl's workloads: writes a second, concurrent clients, seconds. */
const workloads = {
  s: {limit: 150, clients: 50, seconds: 60},
  m: {limit: 1000, clients: 200, seconds: 60},
  l: {limit: 8000, clients: 500, seconds: 60},
  xl: {limit: 15000, clients: 1000, seconds: 60},
} as const
const aliases: Record<string, keyof typeof workloads> = {s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl'}
const KEY_BYTES = 256
const VALUE_BYTES = 1024

export default class CheckPerf extends EctlCommand {
  static override summary = 'Check the performance of the etcd cluster'
  static override description = `Writes under --prefix at the workload's rate (s: 150 writes/s from 50 clients, m: 1000/200,
l: 8000/500, xl: 15000/1000) for 60 seconds, then deletes what it wrote and judges the run as
etcdctl does: PASS when the throughput reaches 90% of the rate, no request took over 0.5 s and
the latencies' standard deviation stays under 0.1 s; FAIL (exit 1) otherwise.

A progress bar is drawn on stderr when it is a terminal; the verdict lines go to stdout.
ECTL_CHECK_PERF_SECONDS shortens the run (for trying a setup quickly; the verdict of a short
run says less).`
  static override examples = ['<%= config.bin %> check perf', '<%= config.bin %> check perf --load m --auto-compact --auto-defrag']
  static override usage = 'check perf [options]'
  static override etcdctl = {use: 'perf [options]', short: 'Check the performance of the etcd cluster'}
  static override flags = {
    load: Flags.string({description: "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)", default: 's'}),
    prefix: Flags.string({description: "The prefix for writing the performance check's keys.", default: '/etcdctl-check-perf/'}),
    'auto-compact': Flags.boolean({description: 'Compact storage with last revision after test is finished.'}),
    'auto-defrag': Flags.boolean({description: 'Defragment storage after test is finished.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parseEtcdctl(CheckPerf)
    const model = aliases[flags.load]
    if (model === undefined) throw badFeature(`unknown load option ${flags.load}`)
    const workload = workloads[model]
    const seconds = Number(process.env.ECTL_CHECK_PERF_SECONDS ?? workload.seconds)
    if (!Number.isInteger(seconds) || seconds <= 0) throw badFeature(`ECTL_CHECK_PERF_SECONDS must be a positive whole number of seconds`)
    const prefix = Buffer.from(flags.prefix)
    const client = fullClient(await this.client())
    const existing = await client.range({key: prefix, rangeEnd: prefixEnd(prefix), limit: 1n})
    if (existing.kvs.length > 0) throw invalidInput(`prefix ${JSON.stringify(flags.prefix)} has keys. Delete with etcdctl del --prefix ${flags.prefix} first`)

    const report = new PerfReport()
    const value = Buffer.alloc(VALUE_BYTES)
    const bar = process.stderr.isTTY ? new ProgressBar(seconds) : undefined
    const startMs = Date.now()
    const endMs = startMs + seconds * 1000
    const intervalMs = 1000 / workload.limit
    let inFlight = 0
    let slotFree: (() => void) | undefined
    const running = new Set<Promise<void>>()
    const ticker = setInterval(() => bar?.draw(Math.min(seconds, Math.floor((Date.now() - startMs) / 1000))), 200)
    try {
      // one request every 1/limit seconds (etcdctl's token bucket of one), at most `clients` at once
      for (let i = 0; ; i++) {
        const dueMs = startMs + i * intervalMs
        if (dueMs >= endMs) break
        const waitMs = dueMs - Date.now()
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
        while (inFlight >= workload.clients) await new Promise<void>((resolve) => (slotFree = resolve))
        if (Date.now() >= endMs) break
        inFlight++
        const key = Buffer.concat([prefix, randomKey()])
        const sent = Date.now()
        const request: Promise<void> = client.put({key, value}).then(
          () => report.record(sent, Date.now()),
          (error: Error) => report.record(sent, Date.now(), error),
        ).finally(() => {
          inFlight--
          running.delete(request)
          slotFree?.()
          slotFree = undefined
        })
        running.add(request)
      }
      await Promise.all(running)
      const left = endMs - Date.now()
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left))
    } finally {
      clearInterval(ticker)
      bar?.finish()
    }
    const deleted = await client.deleteRange({key: prefix, rangeEnd: prefixEnd(prefix)})
    if (flags['auto-compact']) {
      const revision = deleted.header?.revision ?? 0n
      await client.compact({revision, physical: true})
      this.write(`Compacted with revision ${revision}\n`)
    }
    if (flags['auto-defrag']) {
      await client.defragment()
      this.write(`Finished defragmenting etcd member[${this.globals.endpoints?.[0] ?? this.globals.dataDir ?? 'data dir'}]\n`)
    }
    const {lines, ok} = verdict(report.stats(), workload.limit)
    this.write(lines.map((line) => `${line}\n`).join(''))
    if (!ok) throw new CliError(ExitCode.error, '', '', '')
  }
}

/** etcdctl's key: a random varint at the start of 256 zero bytes. */
function randomKey(): Buffer {
  const key = Buffer.alloc(KEY_BYTES)
  // Go's PutVarint of a non-negative int63: zig-zag (doubling), then 7 bits a byte
  let u = (randomBytes(8).readBigUInt64BE() >> 1n) << 1n
  let i = 0
  while (u >= 0x80n) {
    key[i++] = Number(u & 0x7fn) | 0x80
    u >>= 7n
  }
  key[i] = Number(u)
  return key
}

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

/** The run's progress, redrawn in place: seconds done of the total, the share and the time left. */
class ProgressBar {
  constructor(private readonly total: number) {}

  draw(done: number): void {
    const left = this.total - done
    const eta = left > 0 ? ` ${String(Math.floor(left / 60)).padStart(2, '0')}m${String(left % 60).padStart(2, '0')}s` : ''
    process.stderr.write(`\r${String(done).padStart(3)} / ${this.total} ${((done / this.total) * 100).toFixed(2).padStart(7)}%${eta}   `)
  }

  finish(): void {
    this.draw(this.total)
    process.stderr.write('\n')
  }
}
