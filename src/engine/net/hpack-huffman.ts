// HPACK's Huffman code (RFC 7541 Appendix B), decoding only. The code is canonical, so it is
// kept as each symbol's code length and the codes are rebuilt from them: symbols ordered by
// (length, symbol) take consecutive codes, shifted left whenever the length grows.

/** Code length in bits of symbols 0 … 255 and of EOS (256), as the RFC's table gives them. */
const codeLengths: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
]

const EOS = 256

/** Each symbol's code (canonical, from codeLengths). */
export function huffmanCodes(): {symbol: number; code: number; length: number}[] {
  const order = codeLengths.map((length, symbol) => ({symbol, length})).sort((a, b) => a.length - b.length || a.symbol - b.symbol)
  const codes: {symbol: number; code: number; length: number}[] = []
  let code = 0
  let previous = order[0]!.length
  for (const {symbol, length} of order) {
    code *= 2 ** (length - previous)
    previous = length
    codes.push({symbol, code, length})
    code++
  }
  return codes.sort((a, b) => a.symbol - b.symbol)
}

/** By code length, code → symbol. */
let decodeTable: Map<number, number>[] | undefined

function table(): Map<number, number>[] {
  if (decodeTable === undefined) {
    decodeTable = Array.from({length: 31}, () => new Map<number, number>())
    for (const {symbol, code, length} of huffmanCodes()) decodeTable[length]!.set(code, symbol)
  }
  return decodeTable
}

/** Decodes a Huffman-coded HPACK string; throws on a code that is not the RFC's or bad padding. */
export function huffmanDecode(bytes: Uint8Array): Buffer {
  const byLength = table()
  const out: number[] = []
  let code = 0
  let length = 0
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1)
      length++
      const symbol = byLength[length]?.get(code)
      if (symbol !== undefined) {
        if (symbol === EOS) throw new Error('hpack: EOS in a Huffman string')
        out.push(symbol)
        code = 0
        length = 0
      } else if (length > 30) {
        throw new Error('hpack: bad Huffman code')
      }
    }
  }
  // padding: fewer than 8 bits, all ones (the start of EOS)
  if (length >= 8 || code !== 2 ** length - 1) throw new Error('hpack: bad Huffman padding')
  return Buffer.from(out)
}
