import assert from 'node:assert/strict'
import {test} from 'node:test'
import {renderTable} from '../../src/cli/printers/table.js'

test('tables match etcdctl 3.4 byte for byte (recorded from member list / endpoint status -w table)', async () => {
  const members = await renderTable(
    ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'],
    [['38c12c72c338faf9', 'started', 'cli', 'http://127.0.0.1:23807', 'http://127.0.0.1:23797', 'false']],
  )
  assert.equal(
    members,
    '+------------------+---------+------+------------------------+------------------------+------------+\n' +
      '|        ID        | STATUS  | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |\n' +
      '+------------------+---------+------+------------------------+------------------------+------------+\n' +
      '| 38c12c72c338faf9 | started |  cli | http://127.0.0.1:23807 | http://127.0.0.1:23797 |      false |\n' +
      '+------------------+---------+------+------------------------+------------------------+------------+\n',
  )
  const status = await renderTable(
    ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'ERRORS'],
    [
      ['127.0.0.1:23797', '38c12c72c338faf9', '3.4.23', '25 kB', 'true', ''],
      ['127.0.0.1:2379', 'a', '3.5.0', '1 MB', 'false', ''],
    ],
  )
  assert.equal(
    status,
    '+-----------------+------------------+---------+---------+-----------+--------+\n' +
      '|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | ERRORS |\n' +
      '+-----------------+------------------+---------+---------+-----------+--------+\n' +
      '| 127.0.0.1:23797 | 38c12c72c338faf9 |  3.4.23 |   25 kB |      true |        |\n' +
      '|  127.0.0.1:2379 |                a |   3.5.0 |    1 MB |     false |        |\n' +
      '+-----------------+------------------+---------+---------+-----------+--------+\n',
  )
})
