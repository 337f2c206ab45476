import assert from 'node:assert/strict'
import {test} from 'node:test'
import {
  Compare_CompareResult as Result,
  Compare_CompareTarget as Target,
  RangeRequest_SortOrder as SortOrder,
  RangeRequest_SortTarget as SortTarget,
} from '../../src/api/proto/rpc.js'
import {CliError} from '../../src/cli/exit.js'
import {argify} from '../../src/cli/txn/argify.js'
import {linesOf, parseCompare, parseRequest, readTxn} from '../../src/cli/txn/grammar.js'

/** Asserts `fn` fails as etcdctl does: this exit code, this message. */
function fails(fn: () => unknown, exitCode: number, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CliError, `not a CliError: ${String(e)}`)
    assert.equal(e.message, message)
    assert.equal(e.exitCode, exitCode)
    return true
  })
}
async function failsAsync(fn: () => Promise<unknown>, exitCode: number, message: string): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof CliError, `not a CliError: ${String(e)}`)
    assert.equal(e.message, message)
    assert.equal(e.exitCode, exitCode)
    return true
  })
}

test('compares: every target, its short name, and every operator', () => {
  const mod = parseCompare('mod("k1") > "0"')
  assert.equal(mod.target, Target.MOD)
  assert.equal(mod.result, Result.GREATER)
  assert.equal(mod.modRevision, 0n)
  assert.deepEqual(mod.key, Buffer.from('k1'))
  assert.equal(parseCompare('m("k") = "5"').modRevision, 5n)
  assert.equal(parseCompare('ver("k") < "3"').version, 3n)
  assert.equal(parseCompare('version("k") != "3"').result, Result.NOT_EQUAL)
  assert.equal(parseCompare('create("k") != "0"').target, Target.CREATE)
  assert.equal(parseCompare('c("k") = "2"').createRevision, 2n)
  const val = parseCompare('val("k") = "a b"')
  assert.equal(val.target, Target.VALUE)
  assert.deepEqual(val.value, Buffer.from('a b'))
  assert.deepEqual(parseCompare('value("k") = "v"').value, Buffer.from('v'))
  const lease = parseCompare('lease("k") = "694d77aa9e38260f"')
  assert.equal(lease.target, Target.LEASE)
  assert.equal(lease.lease, 0x694d77aa9e38260fn)
})

test('compares: Go escapes in keys and values, raw strings, spacing', () => {
  const c = parseCompare('val("\\x01\\xffk\\n") = "\\u00e9\\t"')
  assert.deepEqual(c.key, Buffer.from([0x01, 0xff, 0x6b, 0x0a]))
  assert.deepEqual(c.value, Buffer.from('é\t'))
  assert.deepEqual(parseCompare('val(`raw\\n`) = `x`').key, Buffer.from('raw\\n'))
  assert.equal(parseCompare('mod( "k")   >   "7"').modRevision, 7n)
})

test('compares: malformed lines get etcdctl 3.4 wording and exit 3', () => {
  fails(() => parseCompare('bogus'), 3, 'malformed comparison: bogus')
  fails(() => parseCompare('mod(k1) > "0"'), 3, 'malformed comparison: mod(k1) > "0"; got mod("")  ""')
  fails(() => parseCompare('mod("k1")'), 3, 'malformed comparison: mod("k1"); got mod("k1")  ""')
  fails(() => parseCompare('value("k") ='), 3, 'malformed comparison: value("k") =; got value("k") = ""')
  fails(() => parseCompare('foo("k1") > "0"'), 3, 'malformed comparison: foo("k1") > "0" (unknown target foo)')
  fails(() => parseCompare('mod("k1") > "x"'), 3, 'invalid txn compare request: mod("k1") > "x"')
  fails(() => parseCompare('lease("k1") = "zz"'), 3, 'invalid txn compare request: lease("k1") = "zz"')
  // etcd's client panics on these; we report the line
  fails(() => parseCompare('mod("k1") >> "1"'), 3, 'invalid txn compare request: mod("k1") >> "1"')
})

test('requests: put, get and del with their flags', () => {
  const put = parseRequest('put k1 "overwrote key1" --prev-kv --lease=1f').requestPut!
  assert.deepEqual(put.key, Buffer.from('k1'))
  assert.deepEqual(put.value, Buffer.from('overwrote key1'))
  assert.equal(put.prevKv, true)
  assert.equal(put.lease, 0x1fn)
  const get = parseRequest('get k --prefix --limit 2 --sort-by=modify --order DESCEND --rev=3 --keys-only').requestRange!
  assert.deepEqual(get.key, Buffer.from('k'))
  assert.deepEqual(get.rangeEnd, Buffer.from('l'))
  assert.equal(get.limit, 2n)
  assert.equal(get.revision, 3n)
  assert.equal(get.sortTarget, SortTarget.MOD)
  assert.equal(get.sortOrder, SortOrder.DESCEND)
  assert.equal(get.keysOnly, true)
  const all = parseRequest('get "" --from-key').requestRange!
  assert.deepEqual(all.key, Buffer.from([0]))
  assert.deepEqual(all.rangeEnd, Buffer.from([0]))
  const del = parseRequest('del a c --prev-kv').requestDeleteRange!
  assert.deepEqual(del.rangeEnd, Buffer.from('c'))
  assert.equal(del.prevKv, true)
  // single quotes keep their text (etcdctl 3.4 mangles it; see argify.ts)
  assert.deepEqual(parseRequest("put sq 'hello world'").requestPut!.value, Buffer.from('hello world'))
})

test('requests: malformed lines get etcdctl wording and exit codes', () => {
  fails(() => parseRequest('get'), 3, 'invalid txn compare request: get')
  fails(() => parseRequest('foo bar'), 3, 'invalid txn request: foo bar')
  fails(() => parseRequest('delete k'), 3, 'invalid txn request: delete k')
  fails(() => parseRequest('get k1 --bogus'), 3, 'invalid txn request: get k1 --bogus')
  fails(() => parseRequest('get k --limit=x'), 3, 'invalid txn request: get k --limit=x')
  // the command's own checks exit as the command would
  fails(() => parseRequest('put k'), 128, 'put command needs 1 argument and input from stdin or 2 arguments')
  fails(() => parseRequest('put k v --lease zz'), 128, 'bad lease ID (strconv.ParseInt: parsing "zz": invalid syntax), expecting ID in Hex')
  fails(() => parseRequest('put k --ignore-value x'), 128, "put command needs only 1 argument when 'ignore-value' is set")
  fails(() => parseRequest('get k --prefix --from-key'), 128, '`--prefix` and `--from-key` cannot be set at the same time, choose one')
  fails(() => parseRequest('get k --consistency=x'), 4, 'unknown consistency flag "x"')
})

test('argify splits words, unquoting "double" and \'single\' quoted ones', () => {
  assert.deepEqual(argify('put  k   v'), ['put', 'k', 'v'])
  assert.deepEqual(argify('put "a b" "c\\"d"'), ['put', 'a b', 'c"d'])
  assert.deepEqual(argify("put 'x y' z"), ['put', 'x y', 'z'])
  assert.deepEqual(argify('get ""'), ['get', ''])
})

test('readTxn: three sections, each ended by a blank line', async () => {
  const req = await readTxn(linesOf('mod("key1") > "0"\n\nput key1 "overwrote-key1"\n\nput key1 "created-key1"\nput key2 "some extra key"\n\n'))
  assert.equal(req.compare.length, 1)
  assert.equal(req.success.length, 1)
  assert.equal(req.failure.length, 2)
  const empty = await readTxn(linesOf('\n\n\n'))
  assert.deepEqual([empty.compare.length, empty.success.length, empty.failure.length], [0, 0, 0])
  // surrounding white space is trimmed
  const spaced = await readTxn(linesOf('  mod("a")  >  "0" \n \t \n  put   a   c  \n\n\n'))
  assert.deepEqual(spaced.success[0]!.requestPut!.value, Buffer.from('c'))
})

test('readTxn: input ending inside a section is etcdctl\'s EOF error (exit 3)', async () => {
  await failsAsync(() => readTxn(linesOf('')), 3, 'EOF')
  await failsAsync(() => readTxn(linesOf('value("k") = "v"\n')), 3, 'EOF')
  await failsAsync(() => readTxn(linesOf('mod("k1") > "0"\n\nput k1 new\n\nput k1 fail\n')), 3, 'EOF')
  // an unterminated last line is not a line
  await failsAsync(() => readTxn(linesOf('\n\n')), 3, 'EOF')
  // a malformed line fails before the end of input is reached
  await failsAsync(() => readTxn(linesOf('bogus\n')), 3, 'malformed comparison: bogus')
})
