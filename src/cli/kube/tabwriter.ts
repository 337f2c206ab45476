// Go's text/tabwriter as kubectl configures it (minwidth 6, padding 3, pad with spaces;
// liggitt/tabwriter's RememberWidths for watch output). A cell ends at a tab; the text after a
// line's last tab is not aligned. A column's width is set per block of consecutive lines that
// have a cell in it: max(minwidth, widest cell + padding).

const MIN_WIDTH = 6
const PADDING = 3

const width = (s: string) => [...s].length

export class TabWriter {
  private lines: string[][] = []
  private remembered: number[] = []

  constructor(
    private readonly rememberWidths = false,
    private readonly minWidth = MIN_WIDTH,
    private readonly padding = PADDING,
  ) {}

  /** Adds text; lines end at `\n`, cells at `\t`. */
  write(text: string): void {
    const parts = text.split('\n')
    // the text after the last newline continues an open line
    if (this.lines.length > 0 && this.open) {
      const last = this.lines[this.lines.length - 1]!
      const first = parts.shift()!.split('\t')
      last[last.length - 1] += first[0]!
      last.push(...first.slice(1))
    }
    for (const p of parts) this.lines.push(p.split('\t'))
    this.open = true
    // a trailing newline leaves an empty open line; drop it so flush sees whole lines
    if (text.endsWith('\n')) {
      this.lines.pop()
      this.open = false
    }
  }

  private open = false

  /** The aligned text of everything written so far. */
  flush(): string {
    const out: string[] = []
    this.format(out, 0, this.lines.length, [])
    // as Go's Flush, a last line without its newline goes out without one
    if (this.open && out.length > 0) out[out.length - 1] = out[out.length - 1]!.slice(0, -1)
    this.lines = []
    this.open = false
    return out.join('')
  }

  private format(out: string[], line0: number, line1: number, widths: number[]): void {
    const column = widths.length
    for (let i = line0; i < line1; i++) {
      if (column >= this.lines[i]!.length - 1) continue
      this.writeLines(out, line0, i, widths)
      line0 = i
      let w = Math.max(this.minWidth, this.rememberWidths ? (this.remembered[column] ?? 0) : 0)
      for (; i < line1; i++) {
        const line = this.lines[i]!
        if (column >= line.length - 1) break
        w = Math.max(w, width(line[column]!) + this.padding)
      }
      if (this.rememberWidths) this.remembered[column] = w
      this.format(out, line0, i, [...widths, w])
      line0 = i
      i--
    }
    this.writeLines(out, line0, line1, widths)
  }

  private writeLines(out: string[], line0: number, line1: number, widths: number[]): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!
      let text = ''
      line.forEach((cell, j) => {
        if (j < widths.length && j < line.length - 1) text += cell + ' '.repeat(Math.max(0, widths[j]! - width(cell)))
        else text += cell
      })
      out.push(text + '\n')
    }
  }
}

/** Aligns whole text at once (the common case); describe uses minwidth 0 and padding 2. */
export function tabulate(text: string, minWidth = MIN_WIDTH, padding = PADDING): string {
  const w = new TabWriter(false, minWidth, padding)
  w.write(text)
  return w.flush()
}
