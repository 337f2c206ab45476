// etcdctl's `-w table` layout (olekukonko/tablewriter as etcdctl sets it up): ASCII borders,
// one rule under the header and none between rows, headers centred (an odd space goes to the
// right), every cell right-aligned. etcdctl prints tables only for cluster commands (member
// list, endpoint status, ...); key-value commands refuse `-w table` (see printer.ts).
// cli-table3 is loaded only when a table is printed.

const ASCII_BORDERS = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '|',
  'right-mid': '',
  middle: '|',
}

/** The table text, ending with a newline. Cells are shown as given (no colour, no wrapping). */
export async function renderTable(header: string[], rows: string[][]): Promise<string> {
  const {default: Table} = await import('cli-table3')
  const table = new Table({
    chars: ASCII_BORDERS,
    style: {head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true},
    colAligns: header.map(() => 'right' as const),
  })
  // headers centred through cell options (the `head` option aligns them like the columns)
  table.push(header.map((h) => ({content: h, hAlign: 'center' as const})))
  for (const row of rows) table.push(row)
  const body = table.toString().split('\n')
  // tablewriter draws one rule under the header: the top border, repeated
  body.splice(2, 0, body[0]!)
  return body.join('\n') + '\n'
}
