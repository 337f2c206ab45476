import assert from 'node:assert/strict'
import {test} from 'node:test'
import {hoistLeadingFlags} from '../../src/cli/leading-flags.js'
import {flagLine, tabwrite, usageText} from '../../src/cli/usage.js'

test('leading global flags move after the command words', () => {
  assert.deepEqual(hoistLeadingFlags(['--data-dir', 'd', 'get', 'k']), ['get', 'k', '--data-dir', 'd'])
  assert.deepEqual(hoistLeadingFlags(['--hex', '-w', 'json', 'get', 'k']), ['get', 'k', '--hex', '-w', 'json'])
  assert.deepEqual(hoistLeadingFlags(['--endpoints=x', 'put', 'k', '--', '-v']), ['put', 'k', '--endpoints=x', '--', '-v'])
  assert.deepEqual(hoistLeadingFlags(['get', 'k', '--prefix']), ['get', 'k', '--prefix'])
  assert.deepEqual(hoistLeadingFlags(['--help']), ['--help'])
})

test('flag lines and tab layout follow pflag and Go tabwriter', () => {
  assert.equal(flagLine({name: 'limit', kind: 'int', defaultValue: '0', usage: 'u'}), '      --limit=0\tu')
  assert.equal(flagLine({name: 'order', kind: 'string', defaultValue: '', usage: 'u'}), '      --order=""\tu')
  assert.equal(flagLine({name: 'interactive', char: 'i', kind: 'bool', defaultValue: 'false', usage: 'u'}), '  -i, --interactive[=false]\tu')
  // widest cell 25 chars + 1 = 26 -> 32: the short cell gets ceil((32-20)/8) = 2 tabs
  assert.equal(tabwrite('  -h, --help[=false]\ta\n  -i, --interactive[=false]\tb'), '  -h, --help[=false]\t\ta\n  -i, --interactive[=false]\tb')
  assert.equal(tabwrite('NAME:\n\ttxn - x\n'), 'NAME:\n\ttxn - x\n')
})

test('usage text matches etcdctl 3.4 for txn (recorded)', () => {
  const text = usageText({
    bin: 'etcdctl',
    use: 'txn [options]',
    short: 'Txn processes all the requests in one transaction',
    flags: [{name: 'interactive', char: 'i', kind: 'bool', defaultValue: 'false', usage: 'Input transaction in interactive mode'}],
  })
  assert.ok(
    text.startsWith(
      'NAME:\n\ttxn - Txn processes all the requests in one transaction\n\nUSAGE:\n\tetcdctl txn [options] [flags]\n\n' +
        'OPTIONS:\n  -h, --help[=false]\t\thelp for txn\n  -i, --interactive[=false]\tInput transaction in interactive mode\n\n' +
        'GLOBAL OPTIONS:\n      --cacert=""\t\t\t\tverify certificates of TLS-enabled secure servers using this CA bundle\n',
    ),
  )
  assert.ok(text.endsWith('  -w, --write-out="simple"\t\t\tset the output format (fields, json, protobuf, simple, table)\n\n'))
})
