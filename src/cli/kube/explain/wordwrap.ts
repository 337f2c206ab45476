// Word wrapping as kubectl's explain wraps descriptions (the go-wordwrap rules): breaks only at
// white space, a word longer than the limit stays whole, existing line breaks are kept, and the
// spaces at a break are dropped. Widths count characters (runes), not bytes.

const NBSP = '\u00a0'

function isSpace(c: string): boolean {
  // unicode.IsSpace, minus the no-break space that go-wordwrap keeps inside words
  return c !== NBSP && /\s/u.test(c)
}

export function wrapString(s: string, limit: number): string {
  let out = ''
  let current = 0
  let word = ''
  let space = ''
  // lengths in runes; `word.length` would count UTF-16 units
  let wordLen = 0
  let spaceLen = 0
  for (const c of s) {
    if (c === '\n') {
      if (wordLen === 0) {
        if (current + spaceLen <= limit) out += space
      } else {
        out += space + word
      }
      space = ''
      spaceLen = 0
      word = ''
      wordLen = 0
      out += c
      current = 0
    } else if (isSpace(c)) {
      if (spaceLen === 0 || wordLen > 0) {
        current += spaceLen + wordLen
        out += space + word
        space = ''
        spaceLen = 0
        word = ''
        wordLen = 0
      }
      space += c
      spaceLen++
    } else {
      word += c
      wordLen++
      if (current + spaceLen + wordLen > limit && wordLen < limit) {
        out += '\n'
        current = 0
        space = ''
        spaceLen = 0
      }
    }
  }
  if (wordLen === 0) {
    if (current + spaceLen <= limit) out += space
  } else {
    out += space + word
  }
  return out
}
