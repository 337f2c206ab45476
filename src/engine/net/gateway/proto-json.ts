// Protobuf ⇄ JSON as etcd's grpc-gateway maps them (golang/protobuf's jsonpb with OrigName):
// keys are the field names as the .proto writes them (the lowerCamel JSON name is accepted on
// input too), 64-bit integers are strings, bytes base64, enums their names, and fields at their
// default value are left out. Driven by the schema generated from proto/*.proto, on wire bytes:
// JSON becomes the request's protobuf bytes (then decoded like a gRPC request), and a response's
// protobuf bytes become JSON, so no message is mapped by hand.
import {BinaryReader, BinaryWriter, WireType} from '@bufbuild/protobuf/wire'
import type {FieldSchema, ProtoSchema} from '../../../api/proto-schema-types.js'
import {goQuote, JsonNumber, kindOf, type JsonObject, type JsonValue} from './go-json.js'

/** A request body that does not fit its message; the message is Go's (jsonpb's). */
export class JsonMappingError extends Error {}

const goTypes: Record<string, string> = {
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  bool: 'bool',
  string: 'string',
  bytes: '[]uint8',
  double: 'float64',
  float: 'float32',
}

const ranges: Record<string, [bigint, bigint]> = {
  int64: [-(1n << 63n), (1n << 63n) - 1n],
  uint64: [0n, (1n << 64n) - 1n],
  int32: [-(1n << 31n), (1n << 31n) - 1n],
  uint32: [0n, (1n << 32n) - 1n],
}

const cannot = (value: JsonValue, goType: string) => new JsonMappingError(`json: cannot unmarshal ${kindOf(value)} into Go value of type ${goType}`)

/** Go's base64.StdEncoding.DecodeString (padding required; CR and LF skipped). */
function decodeBase64(text: string): Buffer {
  const alphabet = /[A-Za-z0-9+/]/
  let significant = 0
  let padding = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\r' || c === '\n') continue
    if (c === '=') {
      // padding: only at the end of a quantum
      if (significant % 4 < 2) throw new JsonMappingError(`illegal base64 data at input byte ${i}`)
      padding++
      if (significant % 4 === 2 && padding === 1) {
        // needs a second '='
        let j = i + 1
        while (text[j] === '\r' || text[j] === '\n') j++
        if (text[j] !== '=') throw new JsonMappingError(`illegal base64 data at input byte ${j >= text.length ? i : j}`)
      }
      continue
    }
    if (padding > 0 || !alphabet.test(c)) throw new JsonMappingError(`illegal base64 data at input byte ${i}`)
    significant++
  }
  if ((significant + padding) % 4 !== 0) throw new JsonMappingError(`illegal base64 data at input byte ${text.length}`)
  return Buffer.from(text.replace(/[\r\n]/g, ''), 'base64')
}

export class ProtoJson {
  constructor(private readonly schema: ProtoSchema) {}

  /** A JSON request as the protobuf bytes of `messageName`; throws JsonMappingError. */
  toWire(messageName: string, value: JsonValue): Uint8Array {
    const writer = new BinaryWriter()
    if (value !== null) this.writeMessage(writer, messageName, value)
    return writer.finish()
  }

  /** The protobuf bytes of `messageName` as the gateway's JSON text. */
  toJson(messageName: string, bytes: Uint8Array): string {
    return this.readMessage(new BinaryReader(bytes), messageName, bytes.length)
  }

  private fields(messageName: string): FieldSchema[] {
    const fields = this.schema.messages[messageName]
    if (fields === undefined) throw new Error(`no schema for message ${messageName}`)
    return fields
  }

  private writeMessage(writer: BinaryWriter, messageName: string, value: JsonValue): void {
    if (!(value instanceof Map)) throw cannot(value, 'map[string]json.RawMessage')
    const object = value as JsonObject
    for (const field of this.fields(messageName)) {
      const given = object.has(field.name) ? object.get(field.name)! : object.has(field.json) ? object.get(field.json)! : undefined
      if (given === undefined || given === null) continue
      if (field.repeated) {
        if (!Array.isArray(given)) throw cannot(given, '[]json.RawMessage')
        const packable = field.kind !== 'message' && field.kind !== 'string' && field.kind !== 'bytes'
        if (packable) {
          writer.tag(field.number, WireType.LengthDelimited).fork()
          for (const item of given) this.writeScalar(writer, field, item, false)
          writer.join()
        } else for (const item of given) this.writeField(writer, field, item)
      } else this.writeField(writer, field, given)
    }
  }

  private writeField(writer: BinaryWriter, field: FieldSchema, value: JsonValue): void {
    if (field.kind === 'message') {
      if (value === null) return
      writer.tag(field.number, WireType.LengthDelimited).fork()
      this.writeMessage(writer, field.type!, value)
      writer.join()
      return
    }
    this.writeScalar(writer, field, value, true)
  }

  private writeScalar(writer: BinaryWriter, field: FieldSchema, value: JsonValue, tagged: boolean): void {
    if (value === null) return
    const tag = (wire: WireType) => {
      if (tagged) writer.tag(field.number, wire)
    }
    switch (field.kind) {
      case 'enum': {
        const schema = this.schema.enums[field.type!]!
        let number: number
        if (typeof value === 'string') {
          if (!(value in schema.values)) throw new JsonMappingError(`unknown value ${goQuote(value)} for enum ${schema.goName}`)
          number = schema.values[value]!
        } else number = Number(this.integer(value, 'int32', schema.goName))
        tag(WireType.Varint)
        writer.int32(number)
        return
      }
      case 'bool':
        if (typeof value !== 'boolean') throw cannot(value, 'bool')
        tag(WireType.Varint)
        writer.bool(value)
        return
      case 'string':
        if (typeof value !== 'string') throw cannot(value, 'string')
        tag(WireType.LengthDelimited)
        writer.string(value)
        return
      case 'bytes':
        if (typeof value !== 'string') throw cannot(value, '[]uint8')
        tag(WireType.LengthDelimited)
        writer.bytes(decodeBase64(value))
        return
      case 'double':
      case 'float': {
        const number = this.float(value, goTypes[field.kind]!)
        if (field.kind === 'double') {
          tag(WireType.Bit64)
          writer.double(number)
        } else {
          tag(WireType.Bit32)
          writer.float(number)
        }
        return
      }
      default: {
        const goType = goTypes[field.kind]!
        const number = this.integer(value, goType, goType)
        switch (field.kind) {
          case 'int64':
            tag(WireType.Varint)
            writer.int64(number)
            return
          case 'uint64':
            tag(WireType.Varint)
            writer.uint64(number)
            return
          case 'sint64':
            tag(WireType.Varint)
            writer.sint64(number)
            return
          case 'fixed64':
            tag(WireType.Bit64)
            writer.fixed64(number)
            return
          case 'sfixed64':
            tag(WireType.Bit64)
            writer.sfixed64(number)
            return
          case 'int32':
            tag(WireType.Varint)
            writer.int32(Number(number))
            return
          case 'uint32':
            tag(WireType.Varint)
            writer.uint32(Number(number))
            return
          case 'sint32':
            tag(WireType.Varint)
            writer.sint32(Number(number))
            return
          case 'fixed32':
            tag(WireType.Bit32)
            writer.fixed32(Number(number))
            return
          case 'sfixed32':
            tag(WireType.Bit32)
            writer.sfixed32(Number(number))
            return
        }
      }
    }
  }

  /**
   * jsonpb takes an integer as a number or as a string holding one; either way Go's strconv
   * must read it whole for `goType`'s range.
   */
  private integer(value: JsonValue, goType: string, typeName: string): bigint {
    let text: string
    if (value instanceof JsonNumber) text = value.text
    else if (typeof value === 'string') {
      // the string's contents are read as JSON again
      const inner = value.trim()
      if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(inner)) {
        const bad = inner === '' ? undefined : inner[0]
        if (bad === undefined) throw new JsonMappingError('unexpected end of JSON input')
        throw new JsonMappingError(`invalid character '${bad}' looking for beginning of value`)
      }
      text = inner
    } else throw cannot(value, typeName)
    const [min, max] = ranges[goType]!
    if (!/^-?(0|[1-9][0-9]*)$/.test(text)) throw new JsonMappingError(`json: cannot unmarshal number ${text} into Go value of type ${typeName}`)
    const number = BigInt(text)
    if (number < min || number > max) throw new JsonMappingError(`json: cannot unmarshal number ${text} into Go value of type ${typeName}`)
    return number
  }

  private float(value: JsonValue, goType: string): number {
    if (value instanceof JsonNumber) return Number(value.text)
    if (typeof value === 'string' && /^(NaN|-?Infinity)$/.test(value)) return Number(value)
    throw cannot(value, goType)
  }

  // ---- protobuf bytes → JSON ----

  private readMessage(reader: BinaryReader, messageName: string, end: number): string {
    const fields = this.fields(messageName)
    const byNumber = new Map<number, number>()
    fields.forEach((field, index) => byNumber.set(field.number, index))
    const values: string[][] = fields.map(() => [])
    while (reader.pos < end) {
      const [number, wireType] = reader.tag()
      const index = byNumber.get(number)
      if (index === undefined) {
        reader.skip(wireType, number)
        continue
      }
      const field = fields[index]!
      const packed = field.repeated && wireType === WireType.LengthDelimited && field.kind !== 'message' && field.kind !== 'string' && field.kind !== 'bytes'
      if (packed) {
        const packedEnd = reader.uint32() + reader.pos
        while (reader.pos < packedEnd) values[index]!.push(this.readScalar(reader, field))
      } else if (field.kind === 'message') {
        const length = reader.uint32()
        values[index]!.push(this.readMessage(reader, field.type!, reader.pos + length))
      } else {
        const value = this.readScalar(reader, field)
        if (field.repeated) values[index]!.push(value)
        else values[index] = [value]
      }
    }
    const parts: string[] = []
    fields.forEach((field, index) => {
      const found = values[index]!
      if (found.length === 0) return
      const text = field.repeated ? `[${found.join(',')}]` : found[found.length - 1]!
      parts.push(`${goQuote(field.name)}:${text}`)
    })
    return `{${parts.join(',')}}`
  }

  private readScalar(reader: BinaryReader, field: FieldSchema): string {
    switch (field.kind) {
      case 'enum': {
        const number = reader.int32()
        const name = Object.entries(this.schema.enums[field.type!]!.values).find(([, value]) => value === number)?.[0]
        return name === undefined ? String(number) : goQuote(name)
      }
      case 'bool':
        return reader.bool() ? 'true' : 'false'
      case 'string':
        return goQuote(reader.string())
      case 'bytes':
        return goQuote(Buffer.from(reader.bytes()).toString('base64'))
      case 'double':
        return jsonFloat(reader.double())
      case 'float':
        return jsonFloat(reader.float())
      case 'int64':
        return `"${reader.int64()}"`
      case 'uint64':
        return `"${reader.uint64()}"`
      case 'sint64':
        return `"${reader.sint64()}"`
      case 'fixed64':
        return `"${reader.fixed64()}"`
      case 'sfixed64':
        return `"${reader.sfixed64()}"`
      case 'int32':
        return String(reader.int32())
      case 'uint32':
        return String(reader.uint32())
      case 'sint32':
        return String(reader.sint32())
      case 'fixed32':
        return String(reader.fixed32())
      case 'sfixed32':
        return String(reader.sfixed32())
      default:
        throw new Error(`field ${field.name} has no scalar kind`)
    }
  }
}

function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return '"NaN"'
  if (!Number.isFinite(value)) return value > 0 ? '"Infinity"' : '"-Infinity"'
  return String(value)
}
