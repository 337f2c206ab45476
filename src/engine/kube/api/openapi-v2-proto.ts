// The OpenAPI v2 document in the protobuf form kubectl asks for
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf): gnostic's openapi_v2.Document,
// encoded by the field numbers of its OpenAPIv2.proto. Vendor extensions, defaults and enum
// values are `Any` messages holding their YAML text (JSON is YAML), as gnostic writes them.
import {BinaryWriter, WireType} from '@bufbuild/protobuf/wire'

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

type Write = (w: BinaryWriter) => void

function message(w: BinaryWriter, field: number, body: Write): void {
  w.tag(field, WireType.LengthDelimited).fork()
  body(w)
  w.join()
}

function str(w: BinaryWriter, field: number, v: unknown): void {
  if (typeof v === 'string' && v !== '') w.tag(field, WireType.LengthDelimited).string(v)
}

function strs(w: BinaryWriter, field: number, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') w.tag(field, WireType.LengthDelimited).string(s)
}

function bool(w: BinaryWriter, field: number, v: unknown): void {
  if (v === true) w.tag(field, WireType.Varint).bool(true)
}

/** openapi_v2.Any: the value as YAML text. */
function any(w: BinaryWriter, field: number, v: unknown): void {
  message(w, field, (m) => str(m, 2, `${JSON.stringify(v)}\n`))
}

/** The `x-...` keys of an object as repeated NamedAny. */
function extensions(w: BinaryWriter, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-')) continue
    message(w, field, (m) => {
      str(m, 1, k)
      any(m, 2, v)
    })
  }
}

function schema(w: BinaryWriter, s: Obj): void {
  str(w, 1, s['$ref'])
  str(w, 2, s['format'])
  str(w, 3, s['title'])
  str(w, 4, s['description'])
  if (s['default'] !== undefined) any(w, 5, s['default'])
  strs(w, 19, s['required'])
  if (Array.isArray(s['enum'])) for (const e of s['enum']) any(w, 20, e)
  const ap = s['additionalProperties']
  if (isObj(ap)) message(w, 21, (m) => message(m, 1, (x) => schema(x, ap)))
  else if (typeof ap === 'boolean') message(w, 21, (m) => m.tag(2, WireType.Varint).bool(ap))
  if (typeof s['type'] === 'string') message(w, 22, (m) => str(m, 1, s['type']))
  const items = s['items']
  if (isObj(items)) message(w, 23, (m) => message(m, 1, (x) => schema(x, items)))
  if (Array.isArray(s['allOf'])) for (const sub of s['allOf']) if (isObj(sub)) message(w, 24, (m) => schema(m, sub))
  const props = s['properties']
  if (isObj(props)) {
    message(w, 25, (m) => {
      for (const [name, p] of Object.entries(props)) {
        if (!isObj(p)) continue
        message(m, 1, (n) => {
          str(n, 1, name)
          message(n, 2, (x) => schema(x, p))
        })
      }
    })
  }
  extensions(w, 31, s)
}

/** A parameter: a body parameter, or a query / path / header one by its `in`. */
function parameter(w: BinaryWriter, p: Obj): void {
  message(w, 1, (param) => {
    if (p['in'] === 'body') {
      message(param, 1, (b) => {
        str(b, 1, p['description'])
        str(b, 2, p['name'])
        str(b, 3, p['in'])
        bool(b, 4, p['required'])
        if (isObj(p['schema'])) message(b, 5, (x) => schema(x, p['schema'] as Obj))
      })
      return
    }
    // NonBodyParameter: header = 1, formData = 2, query = 3, path = 4; the field numbers of
    // type and uniqueItems differ between the sub-schemas
    const kind = p['in'] === 'header' ? 1 : p['in'] === 'formData' ? 2 : p['in'] === 'path' ? 4 : 3
    const [typeField, uniqueField] = kind === 2 || kind === 3 ? [6, 20] : [5, 19]
    message(param, 2, (nb) =>
      message(nb, kind, (x) => {
        bool(x, 1, p['required'])
        str(x, 2, p['in'])
        str(x, 3, p['description'])
        str(x, 4, p['name'])
        str(x, typeField, p['type'])
        bool(x, uniqueField, p['uniqueItems'])
      }),
    )
  })
}

function operation(w: BinaryWriter, op: Obj): void {
  strs(w, 1, op['tags'])
  str(w, 3, op['description'])
  str(w, 5, op['operationId'])
  strs(w, 6, op['produces'])
  strs(w, 7, op['consumes'])
  if (Array.isArray(op['parameters'])) for (const p of op['parameters']) if (isObj(p)) message(w, 8, (m) => parameter(m, p))
  const responses = op['responses']
  if (isObj(responses)) {
    message(w, 9, (m) => {
      for (const [code, r] of Object.entries(responses)) {
        if (!isObj(r)) continue
        message(m, 1, (named) => {
          str(named, 1, code)
          message(named, 2, (value) =>
            message(value, 1, (resp) => {
              str(resp, 1, r['description'])
              if (isObj(r['schema'])) message(resp, 2, (item) => message(item, 1, (x) => schema(x, r['schema'] as Obj)))
            }),
          )
        })
      }
    })
  }
  strs(w, 10, op['schemes'])
  extensions(w, 13, op)
}

const methodFields: Record<string, number> = {get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8}

/** Encodes a Swagger 2.0 document (as openApiV2Document builds it) as gnostic's Document. */
export function encodeOpenApiV2(doc: Obj): Uint8Array {
  const w = new BinaryWriter()
  str(w, 1, doc['swagger'])
  const info = doc['info']
  if (isObj(info)) {
    message(w, 2, (m) => {
      str(m, 1, info['title'])
      str(m, 2, info['version'])
    })
  }
  const paths = doc['paths']
  if (isObj(paths)) {
    message(w, 8, (m) => {
      for (const [path, item] of Object.entries(paths)) {
        if (!isObj(item)) continue
        message(m, 2, (named) => {
          str(named, 1, path)
          message(named, 2, (pi) => {
            for (const [method, field] of Object.entries(methodFields)) if (isObj(item[method])) message(pi, field, (x) => operation(x, item[method] as Obj))
            if (Array.isArray(item['parameters'])) for (const p of item['parameters']) if (isObj(p)) message(pi, 9, (x) => parameter(x, p))
          })
        })
      }
    })
  }
  const definitions = doc['definitions']
  if (isObj(definitions)) {
    message(w, 9, (m) => {
      for (const [name, s] of Object.entries(definitions)) {
        if (!isObj(s)) continue
        message(m, 1, (named) => {
          str(named, 1, name)
          message(named, 2, (x) => schema(x, s))
        })
      }
    })
  }
  return w.finish()
}
