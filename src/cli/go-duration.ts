// Go's time.ParseDuration, which etcdctl's duration flags (--dial-timeout, --command-timeout,
// --keepalive-time, --keepalive-timeout) use: `2s`, `500ms`, `1m30s`, `1.5h`; a bare number
// other than 0 is an error. The errors are worded as Go words them.

const unitMs: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000}

/** Milliseconds (fractional below 1 ms); throws Go's error text for a malformed duration. */
export function goParseDurationMs(text: string): number {
  const quoted = JSON.stringify(text)
  let rest = text
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`)
  let totalMs = 0
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!
    if (number[0] === '' || number[0] === '.') throw new Error(`time: invalid duration ${quoted}`)
    rest = rest.slice(number[0].length)
    const unit = /^[^\d.]*/.exec(rest)![0]
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`)
    const scale = unitMs[unit]
    if (scale === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`)
    rest = rest.slice(unit.length)
    totalMs += Number(number[0]) * scale
  }
  return sign * totalMs
}
