import assert from 'node:assert/strict'
import {test} from 'node:test'
import {compileTemplate, type TemplateFunc} from '../../src/cli/gotemplate/exec.js'
import {TemplateParseError} from '../../src/cli/gotemplate/parse.js'
import {GoInt, goFloat, goSprintf, type Value} from '../../src/cli/gotemplate/values.js'

const data: Value = {
  metadata: {name: 'web', labels: {app: 'x', tier: 'front'}, gone: null},
  spec: {replicas: new GoInt(3, 'int64'), ratio: 0.5, big: 1000000},
  items: [{name: 'a'}, {name: 'b'}, {name: 'c'}],
}

function run(text: string, funcs: Record<string, TemplateFunc> = {}, missingKeyError = false): string {
  let out = ''
  compileTemplate('output', text, funcs, {}, {missingKeyError}).execute(data, (s) => (out += s))
  return out
}

test('fields, missing keys and printing of maps, lists and numbers', () => {
  assert.equal(run('{{.metadata.name}}'), 'web')
  assert.equal(run('{{.metadata.nope}}|{{.metadata.nope.deeper}}|{{.metadata.gone}}'), '<no value>|<no value>|<no value>')
  assert.equal(run('{{.metadata.labels}} {{.items}}'), 'map[app:x tier:front] [map[name:a] map[name:b] map[name:c]]')
  assert.equal(run('{{.spec.replicas}} {{.spec.ratio}} {{.spec.big}} {{7}} {{1.5}}'), '3 0.5 1e+06 7 1.5')
  assert.throws(() => run('{{.nope}}', {}, true), /map has no entry for key "nope"/)
})

test('control structures: if/else if, range with variables, else, break/continue, with, define/template', () => {
  assert.equal(run('{{if .nope}}a{{else if .metadata}}b{{else}}c{{end}}'), 'b')
  assert.equal(run('{{range $i, $e := .items}}{{$i}}{{$e.name}}{{end}}'), '0a1b2c')
  assert.equal(run('{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}'), 'app=x;tier=front;')
  assert.equal(run('{{range .nope}}x{{else}}none{{end}}'), 'none')
  assert.equal(run('{{range .items}}{{if eq .name "b"}}{{continue}}{{end}}{{if eq .name "c"}}{{break}}{{end}}{{.name}}{{end}}'), 'a')
  assert.equal(run('{{with .metadata}}{{.name}}{{end}}{{with .nope}}x{{else with .spec}}{{.ratio}}{{end}}'), 'web0.5')
  assert.equal(run('{{define "row"}}<{{.}}>{{end}}{{range .items}}{{template "row" .name}}{{end}}'), '<a><b><c>')
  assert.equal(run('{{$n := 0}}{{range .items}}{{$n = .name}}{{end}}{{$n}} {{$.metadata.name}}'), 'c web')
})

test('trim markers and comments', () => {
  assert.equal(run('a  {{- .metadata.name -}}  \n b{{/* no */}}{{- /* trimmed */ -}}  c'), 'awebbc')
})

test('functions: len, index, printf, and/or, comparisons, pipelines', () => {
  assert.equal(run('{{len .items}} {{index .items 1 "name"}} {{index .metadata.labels "app"}} {{index .metadata "zz"}}'), '3 b x <no value>')
  assert.equal(run('{{printf "%s-%d-%05.1f-%q-%v-%T" .metadata.name .spec.replicas .spec.ratio "q" .items .spec.replicas}}'), 'web-3-000.5-"q"-[map[name:a] map[name:b] map[name:c]]-int64')
  assert.equal(run('{{or .nope "dflt"}} {{and .metadata 0}} {{not .nope}}'), 'dflt 0 true')
  assert.equal(run('{{if and (gt .spec.replicas 2) (lt .spec.ratio 1.0)}}ok{{end}}'), 'ok')
  assert.equal(run('{{.metadata.name | printf "%s!"}} {{len .items | printf "%03d"}}'), 'web! 003')
  assert.equal(run('{{upper .metadata.name}}', {upper: (s) => String(s).toUpperCase()}), 'WEB')
})

test('execution errors name the node and its position as Go does', () => {
  assert.throws(() => run('{{.metadata.name.x}}'), {message: `template: output:1:11: executing "output" at <.metadata.name.x>: can't evaluate field x in type interface {}`})
  assert.throws(() => run('\n {{.metadata.gone.x}}'), {message: `template: output:2:12: executing "output" at <.metadata.gone.x>: nil pointer evaluating interface {}.x`})
  assert.throws(() => run('{{eq .spec.ratio 1}}'), /at <eq .spec.ratio 1>: error calling eq: incompatible types for comparison/)
  assert.throws(() => run('{{index .items 9}}'), /error calling index: index out of range: 9/)
  assert.throws(() => run('{{len}}'), /wrong number of args for len: want 1 got 0/)
  assert.throws(() => run('{{range .metadata.name}}{{end}}'), /range can't iterate over web/)
})

test('parse errors read as Go text/template', () => {
  const parse = (t: string) => () => compileTemplate('output', t)
  assert.throws(parse('{{.x'), {name: 'Error', message: 'template: output:1: unclosed action'})
  assert.throws(parse('{{nope}}'), /template: output:1: function "nope" not defined/)
  assert.throws(parse('a\n{{end}}'), /template: output:2: unexpected \{\{end\}\}/)
  assert.throws(parse('{{if .x}}'), /unexpected EOF/)
  assert.throws(parse('{{$x}}'), /undefined variable "\$x"/)
  assert.throws(parse('{{break}}'), /\{\{break\}\} outside \{\{range\}\}/)
  assert.throws(parse('{{/* x }}'), TemplateParseError)
})

test('Go number formatting', () => {
  assert.equal(goFloat(123456), '123456')
  assert.equal(goFloat(1234567), '1.234567e+06')
  assert.equal(goFloat(0.0001), '0.0001')
  assert.equal(goFloat(0.00001), '1e-05')
  assert.equal(goSprintf('%d %s %x', [1.5, new GoInt(2), 'hi']), '%!d(float64=1.5) %!s(int=2) 6869')
  assert.equal(goSprintf('%s %s', ['a']), 'a %!s(MISSING)')
  assert.equal(goSprintf('%s', ['a', 'b']), 'a%!(EXTRA string=b)')
})
