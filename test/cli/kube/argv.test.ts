import assert from 'node:assert/strict'
import {test} from 'node:test'
import {FlagError, parseArgv, type FlagSpec} from '../../../src/cli/kube/argv.js'
import {hoistKubeFlags} from '../../../src/cli/kube/main.js'

const specs: FlagSpec[] = [
  {name: 'namespace', char: 'n', kind: 'string'},
  {name: 'watch', char: 'w', kind: 'bool'},
  {name: 'all-namespaces', char: 'A', kind: 'bool'},
  {name: 'filename', char: 'f', kind: 'stringSlice'},
  {name: 'chunk-size', kind: 'int', default: '500'},
  {name: 'dry-run', kind: 'string', default: 'none', noOptDefault: 'unchanged'},
]

test('pflag forms: interspersed, =, attached shorthand values, bundles, slices, --', () => {
  const p = parseArgv(['pods', '-nkube-system', '-Aw', '--chunk-size=10', '-f', 'a,b', '-f=c', 'x', '--dry-run', '--', '-y'], specs)
  assert.deepEqual(p.args, ['pods', 'x', '-y'])
  assert.equal(p.flags['namespace'], 'kube-system')
  assert.equal(p.flags['watch'], true)
  assert.equal(p.flags['all-namespaces'], true)
  assert.equal(p.flags['chunk-size'], '10')
  assert.deepEqual(p.flags['filename'], ['a', 'b', 'c'])
  assert.equal(p.flags['dry-run'], 'unchanged')
  assert.equal(p.dashIndex, 2)
})

test("pflag's error words", () => {
  const err = (argv: string[]) => {
    try {
      parseArgv(argv, specs)
    } catch (e) {
      assert.ok(e instanceof FlagError)
      return e.message
    }
    return ''
  }
  assert.equal(err(['--foo']), 'unknown flag: --foo')
  assert.equal(err(['-x']), "unknown shorthand flag: 'x' in -x")
  assert.equal(err(['-n']), "flag needs an argument: 'n' in -n")
  assert.equal(err(['--namespace']), 'flag needs an argument: --namespace')
  assert.equal(err(['--watch=maybe']), 'invalid argument "maybe" for "-w, --watch" flag: strconv.ParseBool: parsing "maybe": invalid syntax')
  assert.equal(err(['--chunk-size=x']), 'invalid argument "x" for "--chunk-size" flag: strconv.ParseInt: parsing "x": invalid syntax')
})

test('global flags before the command move after it', () => {
  assert.deepEqual(hoistKubeFlags(['-n', 'ns', '--kubeconfig=k', 'get', 'pods']), ['get', 'pods', '-n', 'ns', '--kubeconfig=k'])
  assert.deepEqual(hoistKubeFlags(['--insecure-skip-tls-verify', 'get', 'pods']), ['get', 'pods', '--insecure-skip-tls-verify'])
  assert.deepEqual(hoistKubeFlags(['get', 'pods']), ['get', 'pods'])
})
