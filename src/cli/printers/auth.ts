// What etcdctl 3.4 prints for the auth, user and role commands, per output format.
//   simple    its own sentences (`User alice created`, `Role r updated`, the role's KV Read /
//             KV Write lists)
//   json      the response message as Go's encoding/json prints it (see json.ts)
//   fields    the header lines, plus the roles or permissions for the few it knows; user get
//             and user list have no fields form
//   protobuf  the response message's bytes
//   table     not supported (exit 4), after the request ran
import type {Permission} from '../../api/proto/auth.js'
import {Permission_Type} from '../../api/proto/auth.js'
import type {ResponseHeader} from '../../api/proto/rpc.js'
import {badFeature} from '../exit.js'
import {goQuote} from '../go-format.js'
import {headerFields} from './fields.js'
import {headerJson} from './json.js'
import {tableUnsupported, type OutputFormat} from './printer.js'

/** A response: its header and the fields its printers show. */
export interface AuthResponse {
  header?: ResponseHeader
  roles?: string[]
  users?: string[]
  perm?: Permission[]
}

export interface ProtoCodec {
  encode(message: never): {finish(): Uint8Array}
}

const bytesJson = (b: Uint8Array): string | undefined => (b.length === 0 ? undefined : `"${Buffer.from(b).toString('base64')}"`)

function permJson(p: Permission): string {
  const fields: string[] = []
  if (p.permType !== Permission_Type.READ) fields.push(`"permType":${p.permType}`)
  const key = bytesJson(p.key)
  if (key !== undefined) fields.push(`"key":${key}`)
  const end = bytesJson(p.rangeEnd)
  if (end !== undefined) fields.push(`"range_end":${end}`)
  return `{${fields.join(',')}}`
}

/** The response as etcdctl's JSON printer writes it (every field omitempty). */
export function authJson(resp: AuthResponse): string {
  const fields: string[] = []
  const header = headerJson(resp.header)
  if (header !== undefined) fields.push(`"header":${header}`)
  if (resp.roles !== undefined && resp.roles.length > 0) fields.push(`"roles":${JSON.stringify(resp.roles)}`)
  if (resp.users !== undefined && resp.users.length > 0) fields.push(`"users":${JSON.stringify(resp.users)}`)
  if (resp.perm !== undefined && resp.perm.length > 0) fields.push(`"perm":[${resp.perm.map(permJson).join(',')}]`)
  return `{${fields.join(',')}}\n`
}

const permTypeName = (t: Permission_Type): string => Permission_Type[t] ?? String(t)

const text = (s: string): Buffer => Buffer.from(s, 'utf8')

/** The bytes of a permission's range as etcdctl prints it (keys as raw bytes, as Go's %s). */
export function rangeText(key: Buffer, rangeEnd: Buffer): Buffer {
  const isOpen = rangeEnd.length === 1 && rangeEnd[0] === 0
  return Buffer.concat(isOpen ? [text('['), key, text(', <open ended>')] : [text('['), key, text(', '), rangeEnd, text(')')])
}

/** etcdctl's simple form of a role: its read permissions, then its write permissions. */
export function roleSimple(role: string, perms: Permission[]): Buffer {
  const parts: Buffer[] = [text(`Role ${role}\nKV Read:\n`)]
  const line = (p: Permission): void => {
    if (p.rangeEnd.length === 0) {
      parts.push(text('\t'), p.key, text('\n'))
      return
    }
    parts.push(text('\t'), rangeText(p.key, p.rangeEnd))
    if (prefixRangeEnd(p.key).equals(p.rangeEnd)) parts.push(text(' (prefix '), p.key, text(')'))
    parts.push(text('\n'))
  }
  for (const p of perms) if (p.permType === Permission_Type.READ || p.permType === Permission_Type.READWRITE) line(p)
  parts.push(text('KV Write:\n'))
  for (const p of perms) if (p.permType === Permission_Type.WRITE || p.permType === Permission_Type.READWRITE) line(p)
  return Buffer.concat(parts)
}

/** clientv3.GetPrefixRangeEnd: the last byte below 0xff raised by one, the rest dropped; "\x00" if none. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1))
      end[i] = end[i]! + 1
      return end
    }
  }
  return Buffer.from([0])
}

/** `-w fields` of a role (etcdctl: the header, then three lines per permission). */
export function roleFields(resp: AuthResponse): string {
  let out = headerFields(resp.header)
  for (const p of resp.perm ?? []) {
    out += `"PermType" :  ${permTypeName(p.permType)}\n`
    out += `"Key" : ${goQuote(p.key)}\n`
    out += `"RangeEnd" : ${goQuote(p.rangeEnd)}\n`
  }
  return out
}

/** `-w fields` of the role list: one line of quoted names. */
export function roleListFields(resp: AuthResponse): string {
  return headerFields(resp.header) + `"Roles" :${(resp.roles ?? []).map((r) => ` ${goQuote(r)}`).join('')}\n`
}

export interface AuthRender {
  /** The simple form. */
  simple: () => string | Buffer
  /** The fields form when it is more than the header; 'unsupported' when etcdctl has none. */
  fields?: (() => string) | 'unsupported'
  codec: ProtoCodec
}

/** The bytes etcdctl writes for `resp` in `format`. */
export function renderAuth(format: OutputFormat, resp: AuthResponse, how: AuthRender): Buffer | string {
  switch (format) {
    case 'simple':
      return how.simple()
    case 'json':
      return authJson(resp)
    case 'fields':
      if (how.fields === 'unsupported') throw badFeature('fields not supported as output format')
      return how.fields === undefined ? headerFields(resp.header) : how.fields()
    case 'protobuf':
      return Buffer.from(how.codec.encode(resp as never).finish())
    case 'table':
      throw tableUnsupported()
  }
}
