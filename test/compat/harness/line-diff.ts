// A line diff for test failures: `- ` lines only the real etcdctl printed, `+ ` lines only
// ectl printed, `  ` lines both printed. Longest common subsequence, so a single extra or
// missing line shows as one line, not as everything after it.

/** Past this many cells the LCS table is too big to be worth it; show both sides whole instead. */
const maxTableCells = 4_000_000

export function lineDiff(expected: readonly string[], actual: readonly string[]): string {
  const rows = expected.length
  const columns = actual.length
  if ((rows + 1) * (columns + 1) > maxTableCells) {
    return [...expected.map((line) => `- ${line}`), ...actual.map((line) => `+ ${line}`)].join('\n')
  }
  // common[i][j]: length of the LCS of expected[i..] and actual[j..].
  const common = Array.from({length: rows + 1}, () => new Uint32Array(columns + 1))
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      common[i]![j] =
        expected[i] === actual[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!)
    }
  }
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < rows || j < columns) {
    if (i < rows && j < columns && expected[i] === actual[j]) {
      out.push(`  ${expected[i]}`)
      i += 1
      j += 1
    } else if (j < columns && (i === rows || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      out.push(`+ ${actual[j]}`)
      j += 1
    } else {
      out.push(`- ${expected[i]}`)
      i += 1
    }
  }
  return out.join('\n')
}
