// etcdctl's Argify: splits a txn request line into words, where "double quoted" words take Go
// escapes and 'single quoted' words are literal. (etcdctl 3.4 mangles single-quoted words by
// slicing with the wrong length; we keep the text between the quotes, as intended.)
import {invalidInput} from '../exit.js'
import {unquote} from './go-quoted.js'

const word = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?/g

/** `line` is a byte string (latin1); so are the words. */
export function argify(line: string): string[] {
  const words = line.match(word) ?? []
  return words.map((w) => {
    if (w.startsWith("'")) return w.slice(1, -1)
    if (w.startsWith('"')) {
      const v = unquote(w)
      if (v === undefined) throw invalidInput('invalid syntax')
      return v
    }
    return w
  })
}
