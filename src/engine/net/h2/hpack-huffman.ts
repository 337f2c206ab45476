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

// Decoding walks the code tree four bits at a time: a state is an inner node of the tree (the
// bits read since the last symbol), and each (state, nibble) pair has its outcome precomputed.
// A nibble ends at most one symbol, as the shortest code is 5 bits long.

/** Set in a transition when the nibble ends a symbol (in bits 8-15). */
const emitsSymbol = 0x10000
/** Set in a transition when the nibble reaches EOS, which may not appear in a string. */
const reachesEos = 0x20000

let transitions: Uint32Array | undefined
/** By state, 1 when ending there is valid padding: fewer than 8 bits, all ones. */
let paddingStates: Uint8Array | undefined

/** Builds the code tree (inner nodes 0 … 255, 0 the root) and the nibble transitions over it. */
function build(): Uint32Array {
  // children[2 * node + bit]: an inner node, or ~symbol for a leaf
  const children = new Int32Array(512)
  let innerNodes = 1
  for (const {symbol, code, length} of huffmanCodes()) {
    let node = 0
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + ((code >> bit) & 1)
      if (children[slot] === 0) children[slot] = innerNodes++
      node = children[slot]!
    }
    children[2 * node + (code & 1)] = ~symbol
  }
  const table = new Uint32Array(innerNodes * 16)
  const padding = new Uint8Array(innerNodes)
  padding[0] = 1
  // a node reached from the root by 1 … 7 one-bits is valid padding
  for (let node = 0, depth = 0; depth < 7; depth++) {
    node = children[2 * node + 1]!
    padding[node] = 1
  }
  for (let state = 0; state < innerNodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state
      let outcome = 0
      for (let bit = 3; bit >= 0; bit--) {
        const next = children[2 * node + ((nibble >> bit) & 1)]!
        if (next >= 0) {
          node = next
        } else if (~next === EOS) {
          outcome = reachesEos
          break
        } else {
          outcome = emitsSymbol | (~next << 8)
          node = 0
        }
      }
      table[state * 16 + nibble] = outcome | node
    }
  }
  paddingStates = padding
  return table
}

/** huffmanDecodeInto's answer for a string holding EOS. */
export const huffmanEos = -1
/** huffmanDecodeInto's answer for a string whose padding is 8 bits or more, or not all ones. */
export const huffmanBadPadding = -2

/**
 * Decodes the Huffman string `source[start, end)` into `out` from offset 0. Returns the number of
 * octets written, or huffmanEos / huffmanBadPadding. `out` must hold (end - start) * 8 / 5 octets,
 * the most a string of that length can decode to.
 */
export function huffmanDecodeInto(source: Uint8Array, start: number, end: number, out: Uint8Array): number {
  const table = (transitions ??= build())
  let state = 0
  let written = 0
  for (let i = start; i < end; i++) {
    const byte = source[i]!
    let step = table[(state << 4) | (byte >> 4)]!
    if (step & reachesEos) return huffmanEos
    if (step & emitsSymbol) out[written++] = (step >> 8) & 0xff
    step = table[((step & 0xff) << 4) | (byte & 0xf)]!
    if (step & reachesEos) return huffmanEos
    if (step & emitsSymbol) out[written++] = (step >> 8) & 0xff
    state = step & 0xff
  }
  return paddingStates![state] === 1 ? written : huffmanBadPadding
}

/** The most octets a Huffman string of `encodedBytes` octets decodes to (the shortest code is 5 bits). */
export function huffmanMaxDecodedBytes(encodedBytes: number): number {
  return Math.floor((encodedBytes * 8) / 5)
}

/** Decodes a Huffman-coded HPACK string; throws on EOS or bad padding. */
export function huffmanDecode(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(huffmanMaxDecodedBytes(bytes.length))
  const written = huffmanDecodeInto(bytes, 0, bytes.length, out)
  if (written === huffmanEos) throw new Error('hpack: EOS in a Huffman string')
  if (written === huffmanBadPadding) throw new Error('hpack: bad Huffman padding')
  return out.subarray(0, written)
}
