// Writes src/api/proto/schema.ts: every message, enum and rpc of proto/*.proto as plain data
// (field names as written in the .proto, numbers, types resolved to full names). The HTTP/JSON
// gateway maps JSON to protobuf and back from this table, as etcd's grpc-gateway does from the
// descriptors, so no message is mapped by hand. `node scripts/gen-proto-schema.mjs --check`
// fails when the committed file is stale (the test suite runs it).
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const protoDir = join(root, 'proto')
const outFile = join(root, 'src/api/proto/schema.ts')

const scalars = new Set(['double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string', 'bytes', 'uint32', 'sfixed32', 'sfixed64', 'sint32', 'sint64'])

function tokenize(text) {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ')
  return stripped.match(/"[^"]*"|[A-Za-z_][\w.]*|-?\d+|[{}()<>;=,[\]]/g) ?? []
}

/** protoc's json_name: underscores dropped, the next letter upper-cased. */
function jsonName(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

function parseFile(file) {
  const tokens = tokenize(readFileSync(join(protoDir, file), 'utf8'))
  let pos = 0
  const next = () => tokens[pos++]
  const peek = () => tokens[pos]
  const expect = (token) => {
    const got = next()
    if (got !== token) throw new Error(`${file}: expected ${token}, got ${got} at token ${pos}`)
  }
  const skipStatement = () => {
    let depth = 0
    while (pos < tokens.length) {
      const token = next()
      if (token === '{') depth++
      else if (token === '}') {
        if (--depth === 0) return
      } else if (token === ';' && depth === 0) return
    }
  }
  const file_ = {pkg: '', messages: [], enums: [], services: []}

  const parseEnum = (scope) => {
    const name = next()
    expect('{')
    const values = {}
    while (peek() !== '}') {
      if (peek() === 'option' || peek() === 'reserved') {
        skipStatement()
        continue
      }
      const valueName = next()
      expect('=')
      values[valueName] = Number(next())
      if (peek() === '[') while (next() !== ']');
      expect(';')
    }
    expect('}')
    file_.enums.push({scope, name, values})
  }

  const parseField = (fields, label, oneof) => {
    let type = next()
    // proto3 `optional` only adds presence tracking: the JSON mapping is the same
    if (type === 'optional') type = next()
    if (type === 'repeated') {
      label = 'repeated'
      type = next()
    }
    const name = next()
    expect('=')
    const number = Number(next())
    if (peek() === '[') while (next() !== ']');
    expect(';')
    fields.push({name, number, type, repeated: label === 'repeated', oneof})
  }

  const parseMessage = (scope) => {
    const name = next()
    const full = [...scope, name]
    expect('{')
    const fields = []
    while (peek() !== '}') {
      const token = peek()
      if (token === 'message') {
        next()
        parseMessage(full)
      } else if (token === 'enum') {
        next()
        parseEnum(full)
      } else if (token === 'oneof') {
        next()
        const oneofName = next()
        expect('{')
        while (peek() !== '}') parseField(fields, undefined, oneofName)
        expect('}')
      } else if (token === 'option' || token === 'reserved') {
        skipStatement()
      } else if (token === 'map') {
        throw new Error(`${file}: map fields are not supported by the schema generator`)
      } else {
        parseField(fields)
      }
    }
    expect('}')
    file_.messages.push({scope, name, fields})
  }

  const parseService = () => {
    const name = next()
    expect('{')
    const methods = []
    while (peek() !== '}') {
      if (peek() !== 'rpc') {
        skipStatement()
        continue
      }
      next()
      const method = next()
      expect('(')
      let requestStream = false
      if (peek() === 'stream') requestStream = !!next()
      const request = next()
      expect(')')
      expect('returns')
      expect('(')
      let responseStream = false
      if (peek() === 'stream') responseStream = !!next()
      const response = next()
      expect(')')
      if (peek() === '{') skipStatement()
      else expect(';')
      methods.push({method, request, response, requestStream, responseStream})
    }
    expect('}')
    file_.services.push({name, methods})
  }

  while (pos < tokens.length) {
    const token = next()
    if (token === 'package') {
      file_.pkg = next()
      expect(';')
    } else if (token === 'message') parseMessage([])
    else if (token === 'enum') parseEnum([])
    else if (token === 'service') parseService()
    else if (token === 'syntax' || token === 'import' || token === 'option') {
      pos--
      skipStatement()
    } else throw new Error(`${file}: unexpected ${token}`)
  }
  return file_
}

/** One entry per line, each field or method on a line of its own: diffs stay readable. */
function section(name, entries) {
  const lines = Object.entries(entries).map(([key, value]) => {
    const inner = Array.isArray(value)
      ? `[\n${value.map((item) => `      ${JSON.stringify(item)},`).join('\n')}\n    ]`
      : JSON.stringify(value)
    return `    ${JSON.stringify(key)}: ${inner},`
  })
  return `  ${name}: {\n${lines.join('\n')}\n  }`
}

export function generate() {
  const files = readdirSync(protoDir).filter((name) => name.endsWith('.proto')).sort().map(parseFile)
  const messageNames = new Set()
  const enumNames = new Set()
  for (const file of files) {
    for (const m of file.messages) messageNames.add([file.pkg, ...m.scope, m.name].join('.'))
    for (const e of file.enums) enumNames.add([file.pkg, ...e.scope, e.name].join('.'))
  }
  // proto scoping: innermost scope first, then outwards, then as written (already qualified)
  const resolve = (pkg, scope, type) => {
    for (let depth = scope.length; depth >= 0; depth--) {
      const candidate = [pkg, ...scope.slice(0, depth), type].join('.')
      if (messageNames.has(candidate)) return {kind: 'message', type: candidate}
      if (enumNames.has(candidate)) return {kind: 'enum', type: candidate}
    }
    if (messageNames.has(type)) return {kind: 'message', type}
    if (enumNames.has(type)) return {kind: 'enum', type}
    throw new Error(`cannot resolve type ${type} in ${pkg}.${scope.join('.')}`)
  }
  const messages = {}
  const enums = {}
  const services = {}
  for (const file of files) {
    for (const m of file.messages) {
      const scope = [...m.scope, m.name]
      messages[[file.pkg, ...scope].join('.')] = m.fields.map((field) => {
        const out = {name: field.name, json: jsonName(field.name), number: field.number}
        if (scalars.has(field.type)) out.kind = field.type
        else Object.assign(out, resolve(file.pkg, scope, field.type))
        if (field.repeated) out.repeated = true
        if (field.oneof) out.oneof = field.oneof
        return out
      })
    }
    for (const e of file.enums) {
      // Go's generated name, as its JSON errors name the type: package.Outer_Inner
      enums[[file.pkg, ...e.scope, e.name].join('.')] = {goName: `${file.pkg}.${[...e.scope, e.name].join('_')}`, values: e.values}
    }
    for (const s of file.services) {
      services[`${file.pkg}.${s.name}`] = Object.fromEntries(
        s.methods.map((m) => [
          m.method,
          {
            request: resolve(file.pkg, [], m.request).type,
            response: resolve(file.pkg, [], m.response).type,
            requestStream: m.requestStream,
            responseStream: m.responseStream,
          },
        ]),
      )
    }
  }
  return `// Generated by scripts/gen-proto-schema.mjs from proto/*.proto: do not edit.
import type {ProtoSchema} from '../proto-schema-types.js'

export const protoSchema: ProtoSchema = {
${section('messages', messages)},
${section('enums', enums)},
${section('services', services)},
}
`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate()
  if (process.argv.includes('--check')) {
    if (readFileSync(outFile, 'utf8') !== text) {
      process.stderr.write('src/api/proto/schema.ts is stale: run node scripts/gen-proto-schema.mjs\n')
      process.exit(1)
    }
  } else writeFileSync(outFile, text)
}
