// Turns captured bytes into lines a reader can compare in a test failure. The mapping is
// injective (a backslash is written `\\`), so equal displays mean equal bytes.

/** Lines of the output; a final newline shows as a trailing empty line, no output as no lines. */
export function displayLines(output: Buffer): string[] {
  if (output.length === 0) return []
  return displayText(output).split('\n')
}

function displayText(output: Buffer): string {
  const decoded = output.toString('utf8')
  // Valid UTF-8 stays readable (ключ stays ключ); anything else is shown byte by byte.
  const validUtf8 = Buffer.from(decoded, 'utf8').equals(output)
  if (validUtf8) return escapeChars(decoded, (char) => char.codePointAt(0)!)
  return escapeChars(output.toString('latin1'), (char) => char.charCodeAt(0), true)
}

function escapeChars(text: string, codeOf: (char: string) => number, escapeHigh = false): string {
  let shown = ''
  for (const char of text) {
    const code = codeOf(char)
    if (char === '\\') shown += '\\\\'
    else if (char === '\n') shown += '\n'
    else if (char === '\t') shown += '\\t'
    else if (code < 0x20 || code === 0x7f || (escapeHigh && code >= 0x80)) shown += `\\x${code.toString(16).padStart(2, '0')}`
    else shown += char
  }
  return shown
}
