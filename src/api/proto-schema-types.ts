// The shape of src/api/proto/schema.ts (generated from proto/*.proto): what a JSON mapping of
// protobuf needs to know about each message, without the generated classes.

export type ScalarKind =
  | 'double' | 'float' | 'int64' | 'uint64' | 'int32' | 'fixed64' | 'fixed32' | 'bool'
  | 'string' | 'bytes' | 'uint32' | 'sfixed32' | 'sfixed64' | 'sint32' | 'sint64'

export interface FieldSchema {
  /** As written in the .proto (the gateway's JSON key, as etcd's OrigName marshaler). */
  name: string
  /** protoc's lowerCamel JSON name, also accepted on input. */
  json: string
  number: number
  kind: ScalarKind | 'enum' | 'message'
  /** Full name of the enum or message type. */
  type?: string
  repeated?: boolean
  oneof?: string
}

export interface EnumSchema {
  /** The Go type's name (JSON errors of etcd name it). */
  goName: string
  values: Record<string, number>
}

export interface MethodSchema {
  request: string
  response: string
  requestStream: boolean
  responseStream: boolean
}

export interface ProtoSchema {
  /** Full message name → fields in declaration order. */
  messages: Record<string, FieldSchema[]>
  enums: Record<string, EnumSchema>
  /** Full service name (as in grpc-methods.ts) → method → message names. */
  services: Record<string, Record<string, MethodSchema>>
}
