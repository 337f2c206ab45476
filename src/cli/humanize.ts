// Go's number formats that etcdctl prints: go-humanize's Bytes (SI units: "20 kB") and
// time.Duration's String ("1.445065ms", "1m0s").

/** Go's %.Nf: rounds half to even on the decimal digits, as strconv does for exact halves. */
function goFixed(value: number, digits: number): string {
  const scaled = value * 10 ** digits
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  const rounded = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1
  return (rounded / 10 ** digits).toFixed(digits)
}

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** go-humanize Bytes: base 1000, one decimal under 10 ("1.2 MB"), none above ("20 kB"). */
export function humanizeBytes(bytes: number | bigint): string {
  const s = Number(bytes)
  if (s < 10) return `${s} B`
  const e = Math.floor(Math.log(s) / Math.log(1000))
  const val = Math.floor((s / 1000 ** e) * 10 + 0.5) / 10
  return `${goFixed(val, val < 10 ? 1 : 0)} ${SI_SIZES[e]}`
}

/** Go's time.Duration String of a duration in nanoseconds. */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s'
  const negative = nanoseconds < 0n
  let ns = negative ? -nanoseconds : nanoseconds
  const sign = negative ? '-' : ''
  const fraction = (value: bigint, unit: bigint): string => {
    const whole = value / unit
    const rest = (value % unit).toString().padStart(unit.toString().length - 1, '0').replace(/0+$/, '')
    return rest === '' ? whole.toString() : `${whole}.${rest}`
  }
  if (ns < 1000n) return `${sign}${ns}ns`
  if (ns < 1_000_000n) return `${sign}${fraction(ns, 1000n)}µs`
  if (ns < 1_000_000_000n) return `${sign}${fraction(ns, 1_000_000n)}ms`
  let out = ''
  const hours = ns / 3_600_000_000_000n
  ns -= hours * 3_600_000_000_000n
  const minutes = ns / 60_000_000_000n
  ns -= minutes * 60_000_000_000n
  if (hours > 0n) out += `${hours}h`
  if (hours > 0n || minutes > 0n) out += `${minutes}m`
  return `${sign}${out}${fraction(ns, 1_000_000_000n)}s`
}

/** Go's %v of a float64 that zap logs ("took":0.005193678): the shortest form that reads back. */
export function goFloat(value: number): string {
  return String(value)
}
