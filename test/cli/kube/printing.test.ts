import assert from 'node:assert/strict'
import {test} from 'node:test'
import {parseCustomColumns, customColumnsHeader, customColumnsRow} from '../../../src/cli/kube/custom-columns.js'
import {goJson} from '../../../src/cli/kube/gojson.js'
import {executeJsonPath, parseJsonPath, relaxedJsonPath} from '../../../src/cli/kube/jsonpath.js'
import {humanDuration, tableHeader, tableRows, type Table} from '../../../src/cli/kube/table.js'
import {tabulate} from '../../../src/cli/kube/tabwriter.js'
import {goYamlKeyLess, toYaml} from '../../../src/cli/kube/yaml.js'

const list = {
  kind: 'List',
  items: [
    {metadata: {name: 'a', labels: {app: 'x', 'k8s.io/n': 'q'}}, spec: {c: [{name: 'c1'}, {name: 'c2'}]}, status: {phase: 'Running', n: 3}},
    {metadata: {name: 'b'}, status: {phase: 'Pending'}},
  ],
}
const jp = (t: string) => executeJsonPath(parseJsonPath(t), list, {allowMissingKeys: true})

test('jsonpath: fields, wildcards, ranges, filters, slices, quoted and escaped keys', () => {
  assert.equal(jp('{.items[*].metadata.name}'), 'a b')
  assert.equal(jp('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'), 'a\tRunning\nb\tPending\n')
  assert.equal(jp('{.items[0].metadata.labels}'), '{"app":"x","k8s.io/n":"q"}')
  assert.equal(jp('{.items[?(@.status.phase=="Running")].metadata.name}'), 'a')
  assert.equal(jp('{.items[?(@.status.n>2)].metadata.name}'), 'a')
  assert.equal(jp('{.items[-1:].metadata.name}'), 'b')
  assert.equal(jp("{.items[0].metadata.labels['k8s.io/n']}"), 'q')
  assert.equal(jp('{.items[0].metadata.labels.k8s\\.io/n}'), 'q')
  assert.equal(jp('kind={.kind}.'), 'kind=List.')
  assert.equal(jp('{range .items[*]}[{range .spec.c[*]}{.name},{end}]{end}'), '[c1,c2,][]')
  assert.equal(jp('{..phase}'), 'Running Pending')
  assert.equal(jp('{.missing}'), '')
  assert.throws(() => parseJsonPath('{.a'), /unclosed action/)
  assert.equal(relaxedJsonPath('metadata.name'), '{.metadata.name}')
  assert.equal(relaxedJsonPath('{.metadata.name}'), '{.metadata.name}')
})

test('custom columns: <none> for missing values, Go formatting for maps, commas for many', () => {
  const cols = parseCustomColumns('NAME:.metadata.name,C:.spec.c[*].name,L:.metadata.labels,X:.nope')
  const text = tabulate(customColumnsHeader(cols) + list.items.map((i) => customColumnsRow(cols, i)).join(''))
  assert.equal(text, 'NAME   C        L                       X\na      c1,c2    map[app:x k8s.io/n:q]   <none>\nb      <none>   <none>                  <none>\n')
})

test('tabwriter: kubectl padding (3) and minimum width (6); the last cell is not padded', () => {
  assert.equal(tabulate('NAME\tREADY\tAGE\nweb-abc\t1/1\t5m\nx\t0/1\t10s\n'), 'NAME      READY   AGE\nweb-abc   1/1     5m\nx         0/1     10s\n')
  assert.equal(tabulate('A\tB\t\nlonger\tx\t\n'), 'A        B     \nlonger   x     \n')
})

test('server tables: priority columns only with wide, NAMESPACE and LABELS decoration, kind prefixes', () => {
  const t: Table = {
    kind: 'Table',
    columnDefinitions: [
      {name: 'Name', type: 'string', format: 'name', priority: 0},
      {name: 'Status', type: 'string', priority: 0},
      {name: 'IP', type: 'string', priority: 1},
    ],
    rows: [{cells: ['web', 'Running', '10.0.0.1'], object: {metadata: {name: 'web', namespace: 'ns1', labels: {b: '2', a: '1'}}}}],
  }
  const narrow = {wide: false, withNamespace: false, showLabels: false, labelColumns: [], noHeaders: false}
  assert.equal(tabulate(tableHeader(t, narrow) + tableRows(t, narrow)), 'NAME   STATUS\nweb    Running\n')
  const all = {...narrow, wide: true, withNamespace: true, showLabels: true, kindPrefix: 'pod'}
  assert.equal(
    tabulate(tableHeader(t, all) + tableRows(t, all)),
    'NAMESPACE   NAME      STATUS    IP         LABELS\nns1         pod/web   Running   10.0.0.1   a=1,b=2\n',
  )
})

test('ages as kubectl prints them', () => {
  assert.equal(humanDuration(59_000), '59s')
  assert.equal(humanDuration(150_000), '2m30s')
  assert.equal(humanDuration(30 * 60_000), '30m')
  assert.equal(humanDuration(5 * 3_600_000 + 60_000), '5h1m')
  assert.equal(humanDuration(30 * 3_600_000), '30h')
  assert.equal(humanDuration(3 * 86_400_000), '3d')
})

test('yaml and json as kubectl prints them', () => {
  assert.equal(
    toYaml({b: {list: [{x: 1, z: 'true'}], s: ''}, a: 'x: y', c: 'two\nlines', d: '123', e: '2024-01-01T00:00:00Z', f: null, g: {}}),
    `a: 'x: y'\nb:\n  list:\n  - x: 1\n    z: "true"\n  s: ""\nc: |-\n  two\n  lines\nd: "123"\ne: "2024-01-01T00:00:00Z"\nf: null\ng: {}\n`,
  )
  assert.ok(goYamlKeyLess('a2', 'a10'))
  assert.equal(goJson({b: 1, a: '<&>'}), '{\n    "a": "\\u003c\\u0026\\u003e",\n    "b": 1\n}')
})
