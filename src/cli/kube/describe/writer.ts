// kubectl's describe output: lines at indentation levels (two spaces each), `Key:\tvalue`
// cells aligned by one tabwriter over the whole text (minwidth 0, padding 2), so alignment
// holds within each run of lines that have a tab.
import type {KubeObject} from '../../../client/kube/client.js'
import {tabulate} from '../tabwriter.js'

export class DescribeWriter {
  private text = ''

  line(level: number, ...cells: string[]): void {
    this.text += '  '.repeat(level) + cells.join('\t') + '\n'
  }

  raw(s: string): void {
    this.text += s
  }

  /** `Labels:\ta=1` then `\tb=2` lines (sorted); `<none>` when empty. */
  map(level: number, title: string, m: Record<string, string> | undefined, sep = '=', skip: string[] = []): void {
    const keys = Object.keys(m ?? {})
      .filter((k) => !skip.includes(k))
      .sort()
    if (keys.length === 0) {
      this.line(level, `${title}:`, '<none>')
      return
    }
    keys.forEach((k, i) => this.line(level, i === 0 ? `${title}:` : '', `${k}${sep}${m![k]}`))
  }

  done(): string {
    return tabulate(this.text, 0, 2)
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Go's time.RFC1123Z in UTC: `Sun, 22 Nov 2026 08:32:26 +0000`. */
export function rfc1123z(ts: string | undefined | null): string {
  if (ts === undefined || ts === null || ts === '') return '<unknown>'
  const d = new Date(ts)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

export const LAST_APPLIED_KEY = 'kubectl.kubernetes.io/last-applied-configuration'

export function annotations(w: DescribeWriter, level: number, obj: KubeObject): void {
  w.map(level, 'Annotations', obj.metadata?.annotations, ': ', [LAST_APPLIED_KEY])
}

export type Any = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
