// HPACK (RFC 7541), the header compression of HTTP/2, for the server of this directory. Node
// keeps its HPACK inside nghttp2, out of reach from JavaScript; this server frames HTTP/2 itself
// to cut the per-call cost, so it brings its own. Every gRPC call passes through here (the
// request's block decoded, the response's headers and trailers encoded), hence: one pass over
// the bytes with a cursor kept on the object (no tuples, no closures), the tables' strings
// handed out as they are (an indexed field allocates nothing), and strings written raw: Huffman
// coding would save a few bytes on the first sending of a field, most of which go out indexed.
//
// Strings are octets, read and written as latin1 (one char per octet), as in Node's HTTP/2: an
// entry's size is then its name's length plus its value's plus 32.
import {huffmanBadPadding, huffmanDecodeInto, huffmanEos, huffmanMaxDecodedBytes} from './hpack-huffman.js'

/** A protocol error in a header block: the connection answers it with GOAWAY COMPRESSION_ERROR. */
export class HpackError extends Error {
  override name = 'HpackError'
}

/**
 * A decoded header block: names lower-case as sent; a name sent twice has its values joined
 * with ', ' in `map` (as Node's IncomingHttpHeaders), while `fields` keeps every field, in order.
 */
export interface DecodedHeaders {
  /** name → value (duplicates joined with ', '), pseudo-headers included; nothing inherited from Object.prototype */
  map: Record<string, string>
  /** every field in order, as [name, value, name, value, …] */
  fields: string[]
  /** RFC 7541 §4.1 size of the list: sum of name + value octets + 32 per field */
  listBytes: number
}

/** SETTINGS_HEADER_TABLE_SIZE until a peer says otherwise (RFC 7540 §6.5.2). */
export const defaultTableBytes = 4096
/** As Node's HTTP/2 (maxHeaderListSize). */
export const defaultMaxListBytes = 65_535
/** What an entry costs beyond its octets (RFC 7541 §4.1). */
const entryOverheadBytes = 32
/** Integers past this are refused: nothing in a block needs more, and it keeps the arithmetic exact. */
const maxInteger = 2 ** 31 - 1

/** RFC 7541 Appendix A, as [name, value]; index 1 first. */
const staticEntries: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
]
const staticCount = staticEntries.length
/** By HPACK index (0 unused). */
const staticNames: readonly string[] = ['', ...staticEntries.map(([name]) => name)]
const staticValues: readonly string[] = ['', ...staticEntries.map(([, value]) => value)]

/** A name of the static table: its first index, and the index of each value it has there. */
interface StaticName {
  index: number
  byValue: Map<string, number>
}

const staticByName = new Map<string, StaticName>()
for (let index = 1; index <= staticCount; index++) {
  const name = staticNames[index]!
  let entry = staticByName.get(name)
  if (entry === undefined) staticByName.set(name, (entry = {index, byValue: new Map()}))
  entry.byValue.set(staticValues[index]!, index)
}

/**
 * The dynamic table (RFC 7541 §2.3.2) as a ring. Entries are numbered in order of insertion, 0
 * the first ever: the newest, `inserted - 1`, has HPACK index 62, and the oldest still held is
 * `inserted - count`. Entry number n lives in slot `n & mask` of `names` and `values`.
 */
class DynamicTable {
  names: string[] = new Array<string>(16).fill('')
  values: string[] = new Array<string>(16).fill('')
  private mask = 15
  inserted = 0
  count = 0
  sizeBytes = 0

  constructor(public maxBytes: number) {}

  /** The slot of HPACK index `index` (above the static table), or -1 past the end of the table. */
  slotOf(index: number): number {
    const fromNewest = index - staticCount - 1
    return fromNewest < this.count ? (this.inserted - 1 - fromNewest) & this.mask : -1
  }

  /** Adds an entry, evicting the oldest to make room; one larger than the whole table empties it (§4.4). */
  add(name: string, value: string): void {
    const bytes = name.length + value.length + entryOverheadBytes
    if (bytes > this.maxBytes) {
      this.evictTo(0)
      return
    }
    this.evictTo(this.maxBytes - bytes)
    if (this.count === this.names.length) this.grow()
    const slot = this.inserted & this.mask
    this.names[slot] = name
    this.values[slot] = value
    this.inserted++
    this.count++
    this.sizeBytes += bytes
  }

  /** The entries, newest first, as [name, value, name, value, …]. */
  entries(): string[] {
    const fields: string[] = []
    for (let number = this.inserted - 1; number >= this.inserted - this.count; number--) {
      fields.push(this.names[number & this.mask]!, this.values[number & this.mask]!)
    }
    return fields
  }

  /** A new maximum size (§4.3): entries are evicted until the table fits. */
  resize(maxBytes: number): void {
    this.maxBytes = maxBytes
    this.evictTo(maxBytes)
  }

  /** Called for each entry evicted, oldest first. */
  protected evicted(_name: string, _value: string, _number: number): void {}

  private evictTo(bytes: number): void {
    while (this.sizeBytes > bytes) {
      const number = this.inserted - this.count
      const slot = number & this.mask
      const name = this.names[slot]!
      const value = this.values[slot]!
      this.names[slot] = this.values[slot] = ''
      this.sizeBytes -= name.length + value.length + entryOverheadBytes
      this.count--
      this.evicted(name, value, number)
    }
  }

  private grow(): void {
    const capacity = this.names.length * 2
    const names = new Array<string>(capacity).fill('')
    const values = new Array<string>(capacity).fill('')
    for (let number = this.inserted - this.count; number < this.inserted; number++) {
      names[number & (capacity - 1)] = this.names[number & this.mask]!
      values[number & (capacity - 1)] = this.values[number & this.mask]!
    }
    this.names = names
    this.values = values
    this.mask = capacity - 1
  }
}

/**
 * The class of a decoded block's `map`: its prototype is an empty object without a prototype,
 * so that a field named `__proto__` or `constructor` is a key like any other. V8 keeps these
 * objects in fast mode, where Object.create(null) starts in dictionary mode: a request's map is
 * built in half the time.
 */
const HeaderMap = function HeaderMap() {} as unknown as new () => Record<string, string>
HeaderMap.prototype = Object.create(null) as object

export class HpackDecoder {
  private readonly table: DynamicTable
  /** The largest table size update accepted: the SETTINGS_HEADER_TABLE_SIZE this side advertised. */
  private limitBytes: number
  /** Set when the limit went below the table's size: the next block must start with a size update. */
  private updateRequired = false
  /** Where Huffman strings are decoded before becoming strings; grows to the largest seen. */
  private scratch = Buffer.allocUnsafe(256)
  /** The read position in the block being decoded. */
  private at = 0
  /** The field readField has just read. */
  private name = ''
  private value = ''

  /**
   * `maxTableBytes`: the SETTINGS_HEADER_TABLE_SIZE in effect for this side; a table size update
   * above it is an error, and the table starts at it when it is below the protocol's 4096. A
   * connection advertising less than 4096 constructs with the default and calls setMaxTableBytes
   * once the peer acknowledges, since the peer may code its first blocks for 4096 until then.
   * `maxListBytes`: the largest header list (RFC 7541 §4.1 size) accepted; decoding stops at the
   * field that passes it.
   */
  constructor(
    maxTableBytes = defaultTableBytes,
    private readonly maxListBytes = defaultMaxListBytes,
  ) {
    this.limitBytes = maxTableBytes
    this.table = new DynamicTable(Math.min(maxTableBytes, defaultTableBytes))
  }

  /**
   * A new SETTINGS_HEADER_TABLE_SIZE of this side, to call once the peer has acknowledged it.
   * Below the table's size, the table shrinks now (as nghttp2 does) and the peer must confirm
   * with a size update at the start of its next block (RFC 7541 §4.2).
   */
  setMaxTableBytes(bytes: number): void {
    this.limitBytes = bytes
    if (bytes < this.table.maxBytes) {
      this.table.resize(bytes)
      this.updateRequired = true
    }
  }

  /** The dynamic table's size in octets, as RFC 7541 §4.1 counts it. */
  get tableBytes(): number {
    return this.table.sizeBytes
  }

  /** The dynamic table's entries, newest first, as [name, value, name, value, …] (for tests and debugging). */
  tableEntries(): string[] {
    return this.table.entries()
  }

  /** Decodes one complete header block (HEADERS and CONTINUATION payloads joined); throws HpackError when it is malformed. */
  decode(block: Buffer): DecodedHeaders {
    this.at = 0
    if (this.updateRequired && (block.length === 0 || (block[0]! & 0xe0) !== 0x20)) {
      throw new HpackError('hpack: the block does not start with the table size update that a lowered SETTINGS_HEADER_TABLE_SIZE requires')
    }
    while (this.at < block.length && (block[this.at]! & 0xe0) === 0x20) this.readSizeUpdate(block)
    const map = new HeaderMap()
    const fields: string[] = []
    let listBytes = 0
    while (this.at < block.length) {
      this.readField(block)
      const name = this.name
      const value = this.value
      listBytes += name.length + value.length + entryOverheadBytes
      if (listBytes > this.maxListBytes) throw new HpackError(`hpack: the header list passes ${this.maxListBytes} bytes`)
      fields.push(name, value)
      const earlier = map[name]
      map[name] = earlier === undefined ? value : earlier + ', ' + value
    }
    return {map, fields, listBytes}
  }

  private readSizeUpdate(block: Buffer): void {
    const bytes = this.readInteger(block, 5)
    if (bytes > this.limitBytes) throw new HpackError(`hpack: table size update to ${bytes} bytes, above the ${this.limitBytes} advertised`)
    this.table.resize(bytes)
    this.updateRequired = false
  }

  /** Reads the field representation at `at` into `name` and `value`, adding it to the table if it says so. */
  private readField(block: Buffer): void {
    const first = block[this.at]!
    if (first >= 0x80) {
      this.readIndexed(block)
    } else if (first >= 0x40) {
      this.readLiteral(block, 6)
      this.table.add(this.name, this.value)
    } else if (first >= 0x20) {
      throw new HpackError('hpack: a table size update after the first field of a block')
    } else {
      // without indexing (0000) or never indexed (0001): they differ only for an intermediary
      // that re-encodes the field, which this decoder's caller does not
      this.readLiteral(block, 4)
    }
  }

  private readIndexed(block: Buffer): void {
    const index = this.readInteger(block, 7)
    if (index === 0) throw new HpackError('hpack: index 0')
    if (index <= staticCount) {
      this.name = staticNames[index]!
      this.value = staticValues[index]!
      return
    }
    const slot = this.table.slotOf(index)
    if (slot < 0) throw new HpackError(`hpack: index ${index} past the dynamic table`)
    this.name = this.table.names[slot]!
    this.value = this.table.values[slot]!
  }

  private readLiteral(block: Buffer, prefixBits: number): void {
    const nameIndex = this.readInteger(block, prefixBits)
    this.name = nameIndex === 0 ? this.readString(block) : this.nameAt(nameIndex)
    this.value = this.readString(block)
  }

  private nameAt(index: number): string {
    if (index <= staticCount) return staticNames[index]!
    const slot = this.table.slotOf(index)
    if (slot < 0) throw new HpackError(`hpack: name index ${index} past the dynamic table`)
    return this.table.names[slot]!
  }

  /** An integer with a `prefixBits` prefix (RFC 7541 §5.1), at most 2^31 - 1. */
  private readInteger(block: Buffer, prefixBits: number): number {
    if (this.at >= block.length) throw new HpackError('hpack: block ends inside a field')
    const prefixMax = (1 << prefixBits) - 1
    let value = block[this.at++]! & prefixMax
    if (value < prefixMax) return value
    // 7 bits a byte, least significant first: a sixth byte would start at 2^35, past the limit
    for (let scale = 1; scale <= 2 ** 28; scale *= 128) {
      if (this.at >= block.length) throw new HpackError('hpack: block ends inside an integer')
      const byte = block[this.at++]!
      value += (byte & 0x7f) * scale
      if (value > maxInteger) throw new HpackError('hpack: integer above 2^31 - 1')
      if (byte < 0x80) return value
    }
    throw new HpackError('hpack: integer of more than 5 continuation bytes')
  }

  /** A string literal (RFC 7541 §5.2), Huffman-coded or raw. */
  private readString(block: Buffer): string {
    if (this.at >= block.length) throw new HpackError('hpack: block ends inside a field')
    const huffman = block[this.at]! >= 0x80
    const length = this.readInteger(block, 7)
    const start = this.at
    const end = start + length
    if (end > block.length) throw new HpackError(`hpack: string of ${length} bytes past the end of the block`)
    this.at = end
    if (!huffman) return block.toString('latin1', start, end)
    const mostBytes = huffmanMaxDecodedBytes(length)
    if (this.scratch.length < mostBytes) this.scratch = Buffer.allocUnsafe(mostBytes)
    const written = huffmanDecodeInto(block, start, end, this.scratch)
    if (written === huffmanEos) throw new HpackError('hpack: EOS inside a Huffman string')
    if (written === huffmanBadPadding) throw new HpackError('hpack: Huffman padding of 8 bits or more, or not all ones')
    return this.scratch.toString('latin1', 0, written)
  }
}

/** The dynamic entries of one name, for the encoder to find a field or a name in O(1). */
interface DynamicName {
  /** The number of the newest entry with this name. */
  newest: number
  /** value → number of the newest entry with this name and value */
  byValue: Map<string, number>
}

/**
 * The encoder's table, indexed by name then value. Nested maps rather than one keyed by
 * name + '\0' + value: that key is a new string per field to hash, which made a lookup about
 * ten times slower. A number kept in an index is the newest entry's, so when that entry goes,
 * every older one with the same key has gone before it (eviction is oldest first).
 */
class EncoderTable extends DynamicTable {
  private readonly byName = new Map<string, DynamicName>()

  /** The HPACK index of `name: value` in this table, or 0. */
  fieldIndex(name: string, value: string): number {
    const number = this.byName.get(name)?.byValue.get(value)
    return number === undefined ? 0 : this.indexOf(number)
  }

  /** The HPACK index of the newest entry named `name`, or 0. */
  nameIndex(name: string): number {
    const entries = this.byName.get(name)
    return entries === undefined ? 0 : this.indexOf(entries.newest)
  }

  override add(name: string, value: string): void {
    super.add(name, value)
    if (this.count === 0) return
    const number = this.inserted - 1
    const entries = this.byName.get(name)
    if (entries === undefined) {
      this.byName.set(name, {newest: number, byValue: new Map([[value, number]])})
    } else {
      entries.newest = number
      entries.byValue.set(value, number)
    }
  }

  protected override evicted(name: string, value: string, number: number): void {
    const entries = this.byName.get(name)!
    if (entries.newest === number) {
      this.byName.delete(name)
    } else if (entries.byValue.get(value) === number) {
      entries.byValue.delete(value)
    }
  }

  private indexOf(number: number): number {
    return staticCount + this.inserted - number
  }
}

/** Fields whose values are secrets: never indexed, here or by any intermediary (RFC 7541 §7.1.3). */
const secretNames: ReadonlySet<string> = new Set(['authorization', 'token'])

/** A field representation's first byte: its pattern, and the width of the integer that follows. */
const indexedFlag = 0x80
const incrementalFlag = 0x40
const sizeUpdateFlag = 0x20
const neverIndexedFlag = 0x10
const withoutIndexingFlag = 0x00
/** Strings shorter than this are copied byte by byte: cheaper than a call into Buffer.write. */
const shortStringChars = 64
/** Blocks up to this size are copied out of the scratch buffer byte by byte, for the same reason. */
const shortCopyBytes = 64
/** The most bytes a field adds besides its strings: three integers of at most 6 bytes each. */
const fieldOverheadBytes = 18

export class HpackEncoder {
  private readonly table: EncoderTable
  /** Where blocks are written; grows to the largest block. The block returned is a copy. */
  private scratch = Buffer.allocUnsafe(1024)
  /** Set by setMaxTableBytes: the next block starts with size updates. */
  private resizePending = false
  /** The lowest size the table was given since the last block, and the latest. */
  private lowestBytes = 0
  private targetBytes = 0

  /**
   * `maxOwnTableBytes`: the most table this side keeps, whatever the peer allows (an encoder
   * may use less than the peer's maximum, RFC 7541 §4.2), so a peer cannot make it hold more.
   */
  constructor(private readonly maxOwnTableBytes = defaultTableBytes) {
    this.table = new EncoderTable(Math.min(defaultTableBytes, maxOwnTableBytes))
    this.resizePending = this.table.maxBytes !== defaultTableBytes
    this.lowestBytes = this.targetBytes = this.table.maxBytes
  }

  /**
   * The peer's SETTINGS_HEADER_TABLE_SIZE. The next block starts with a size update to the new
   * size, preceded by one to the lowest size asked in between if that was lower still (§4.2):
   * the peer's decoder may have shrunk its table to it already.
   */
  setMaxTableBytes(bytes: number): void {
    const target = Math.min(bytes, this.maxOwnTableBytes)
    this.lowestBytes = this.resizePending ? Math.min(this.lowestBytes, target) : target
    this.targetBytes = target
    this.resizePending = true
  }

  /** The dynamic table's size in octets, as RFC 7541 §4.1 counts it. */
  get tableBytes(): number {
    return this.table.sizeBytes
  }

  /** Encodes one header block. `fields` is [name, value, name, value, …]; names must be lower-case. */
  encode(fields: readonly string[]): Buffer {
    let at = this.resizePending ? this.writeSizeUpdates() : 0
    for (let i = 0; i + 1 < fields.length; i += 2) at = this.writeField(at, fields[i]!, fields[i + 1]!)
    return copyOf(this.scratch, at)
  }

  private writeSizeUpdates(): number {
    let at = 0
    if (this.lowestBytes < this.targetBytes) {
      at = writeInteger(this.scratch, at, this.lowestBytes, 5, sizeUpdateFlag)
      this.table.resize(this.lowestBytes)
    }
    at = writeInteger(this.scratch, at, this.targetBytes, 5, sizeUpdateFlag)
    this.table.resize(this.targetBytes)
    this.resizePending = false
    return at
  }

  private writeField(at: number, name: string, value: string): number {
    const need = at + fieldOverheadBytes + name.length + value.length
    if (need > this.scratch.length) this.growScratch(need)
    const scratch = this.scratch
    const known = staticByName.get(name)
    const staticIndex = known?.byValue.get(value)
    if (staticIndex !== undefined) return writeInteger(scratch, at, staticIndex, 7, indexedFlag)
    const dynamicIndex = this.table.fieldIndex(name, value)
    if (dynamicIndex !== 0) return writeInteger(scratch, at, dynamicIndex, 7, indexedFlag)
    const nameIndex = known?.index ?? this.table.nameIndex(name)
    if (secretNames.has(name)) {
      at = writeInteger(scratch, at, nameIndex, 4, neverIndexedFlag)
    } else if (this.worthIndexing(name, value)) {
      at = writeInteger(scratch, at, nameIndex, 6, incrementalFlag)
      this.table.add(name, value)
    } else {
      at = writeInteger(scratch, at, nameIndex, 4, withoutIndexingFlag)
    }
    if (nameIndex === 0) at = writeString(scratch, at, name)
    return writeString(scratch, at, value)
  }

  /**
   * Whether a field is likely sent again: not one that would crowd out a quarter of the table,
   * nor a date (it changes every second) or an error message (it varies with each failure).
   */
  private worthIndexing(name: string, value: string): boolean {
    if ((name.length + value.length + entryOverheadBytes) * 4 > this.table.maxBytes) return false
    if (name === 'date') return false
    return name !== 'grpc-message' || value === 'OK'
  }

  private growScratch(bytes: number): void {
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2))
    this.scratch.copy(grown)
    this.scratch = grown
  }
}

/** A new buffer holding `source[0, bytes)`. Small blocks, the usual ones, are copied in a loop: cheaper than a call into Buffer.copy. */
function copyOf(source: Buffer, bytes: number): Buffer {
  const copy = Buffer.allocUnsafe(bytes)
  if (bytes > shortCopyBytes) {
    source.copy(copy, 0, 0, bytes)
  } else {
    for (let i = 0; i < bytes; i++) copy[i] = source[i]!
  }
  return copy
}

/** Writes an integer with a `prefixBits` prefix after `flags` (RFC 7541 §5.1); returns the offset after it. */
function writeInteger(out: Buffer, at: number, value: number, prefixBits: number, flags: number): number {
  const prefixMax = (1 << prefixBits) - 1
  if (value < prefixMax) {
    out[at++] = flags | value
    return at
  }
  out[at++] = flags | prefixMax
  let rest = value - prefixMax
  while (rest >= 0x80) {
    out[at++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  out[at++] = rest
  return at
}

/** Writes a raw string literal (no Huffman); returns the offset after it. */
function writeString(out: Buffer, at: number, text: string): number {
  at = writeInteger(out, at, text.length, 7, 0)
  if (text.length >= shortStringChars) return at + out.write(text, at, 'latin1')
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i)
  return at
}
