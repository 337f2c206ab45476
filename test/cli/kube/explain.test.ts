import assert from 'node:assert/strict'
import {test} from 'node:test'
import {renderExplain} from '../../../src/cli/kube/explain/render.js'
import {wrapString} from '../../../src/cli/kube/explain/wordwrap.js'

test('wrapString breaks at spaces, keeps long words and line breaks, drops spaces at a break', () => {
  assert.equal(wrapString('aaa bbb ccc', 7), 'aaa bbb\nccc')
  assert.equal(wrapString('aaa  bbb', 4), 'aaa\nbbb')
  assert.equal(wrapString('abcdefghij x', 4), 'abcdefghij\nx')
  assert.equal(wrapString('one\ntwo three', 8), 'one\ntwo\nthree')
  assert.equal(wrapString('é é é', 3), 'é é\né')
  assert.equal(wrapString('ends with newline\n', 80), 'ends with newline\n')
})

const ref = (name: string) => ({allOf: [{$ref: `#/components/schemas/${name}`}]})
const gvk = {group: 'demo.io', version: 'v1', kind: 'Widget'}
const doc = {
  paths: {
    '/apis/demo.io/v1/namespaces/{namespace}/widgets/{name}': {get: {'x-kubernetes-group-version-kind': gvk}},
  },
  components: {
    schemas: {
      'io.demo.v1.Widget': {
        description: 'A Widget.',
        type: 'object',
        required: ['spec'],
        properties: {
          spec: {...ref('io.demo.v1.Spec'), description: 'What it should be.'},
          tags: {type: 'object', additionalProperties: {type: 'string'}},
        },
        'x-kubernetes-group-version-kind': [gvk],
      },
      'io.demo.v1.Spec': {
        description: 'Spec of a widget.',
        type: 'object',
        properties: {
          color: {type: 'string', enum: ['', 'red', 'green', 'blue', 'cyan', 'pink'], description: 'The color.'},
          parts: {type: 'array', items: ref('io.demo.v1.Spec')},
          size: {$ref: '#/components/schemas/io.demo.v1.Size'},
        },
      },
      'io.demo.v1.Size': {type: 'string', description: 'A size.'},
    },
  },
}
const gvr = {group: 'demo.io', version: 'v1', resource: 'widgets'}
const head = 'GROUP:      demo.io\nKIND:       Widget\nVERSION:    v1\n\n'

test('explain: a kind, its fields with types, required marks and enums', () => {
  const r = renderExplain(doc, gvr, [], false)
  assert.equal(r.error, undefined)
  assert.equal(
    r.stdout,
    head +
      'DESCRIPTION:\n    A Widget.\n    \nFIELDS:\n' +
      '  spec\t<Spec> -required-\n    What it should be.\n\n' +
      '  tags\t<map[string]string>\n    <no description>\n\n\n',
  )
})

test('explain: a field path through refs and array items; enums in the long view', () => {
  const r = renderExplain(doc, gvr, ['spec', 'parts', 'color'], false)
  assert.equal(r.stdout, head + 'FIELD: color <string>\nENUM:\n    ""\n    red\n    green\n    blue\n    cyan\n    pink\n\nDESCRIPTION:\n    The color.\n    \n\n')
  const spec = renderExplain(doc, gvr, ['spec'], false).stdout
  assert.match(spec, /^ {2}color\t<string>\n {2}enum: "", red, green, blue, \.\.\.\.\n/m)
  assert.match(spec, /^ {2}size\t<string>$/m, 'a ref to a string type shows the type')
  assert.match(spec, /DESCRIPTION:\n {4}What it should be\.\n {4}Spec of a widget\.\n/)
})

test('explain --recursive stops at a cycle', () => {
  const r = renderExplain(doc, gvr, [], true)
  assert.equal(r.stdout, head + 'DESCRIPTION:\n    A Widget.\n    \nFIELDS:\n  spec\t<Spec> -required-\n    color\t<string>\n    enum: "", red, green, blue, ....\n    parts\t<[]Spec>\n    size\t<string>\n  tags\t<map[string]string>\n\n')
})

test('explain: a missing field or resource is an error after what kubectl prints first', () => {
  assert.deepEqual(renderExplain(doc, gvr, ['spec', 'nope'], false), {stdout: head, error: 'error: field "nope" does not exist'})
  assert.deepEqual(renderExplain(doc, {...gvr, resource: 'gadgets'}, [], false), {stdout: '', error: 'error: GVR (demo.io/v1, Resource=gadgets) not found in OpenAPI schema'})
})
