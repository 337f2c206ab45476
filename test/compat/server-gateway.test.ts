// The HTTP/JSON gateway of ectl server against the real etcd 3.4's grpc-gateway: the same
// requests, in the same order, on a fresh store each; the status codes and bodies must be
// equal after masking only ids, raft terms and the top-level header (see `normalize`).
// Known, deliberate differences are listed where they are masked.
import assert from 'node:assert/strict'
import {request as httpRequest} from 'node:http'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {serveDataDir, type ServingDataDir} from '../../src/engine/net/grpc/serve-datadir.js'
import {type RealEtcd, startRealEtcd} from './harness/real-etcd.js'

interface Answer {
  status: number
  body: string
}

const b64 = (text: string) => Buffer.from(text).toString('base64')

function post(base: string, path: string, body: string, method = 'POST'): Promise<Answer> {
  return fetch(base + path, {method, body: method === 'GET' ? undefined : body, signal: AbortSignal.timeout(10_000)}).then(async (response) => ({
    status: response.status,
    body: await response.text(),
  }))
}

/**
 * A streaming call: sends `body`, reads `lines` result lines (running `during` once the first
 * arrived), then hangs up.
 */
function stream(base: string, path: string, body: string, lines: number, during: () => Promise<void> = async () => undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path)
    const req = httpRequest({host: url.hostname, port: url.port, path: url.pathname, method: 'POST'}, (response) => {
      let text = ''
      let ran = false
      const timer = setTimeout(() => {
        req.destroy()
        resolve({status: response.statusCode ?? 0, body: text})
      }, 5_000)
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
        if (!ran && text.includes('\n')) {
          ran = true
          during().catch(reject)
        }
        if (text.split('\n').length - 1 >= lines) {
          clearTimeout(timer)
          req.destroy()
          resolve({status: response.statusCode ?? 0, body: text})
        }
      })
      response.on('end', () => {
        clearTimeout(timer)
        resolve({status: response.statusCode ?? 0, body: text})
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Masks what differs between two healthy members: cluster and member ids and the raft term
 * everywhere; the top-level header of a response is replaced by a marker (etcd 3.4 leaves
 * parts of it out for some methods where ours always fills it: ids, term and revision).
 */
function normalize(body: string): string {
  return body
    .replace(/"(cluster_id|member_id|leader|ID)":"\d{6,}"/g, '"$1":"<id>"')
    .replace(/"raft_term":"\d+"/g, '"raft_term":"<term>"')
    .replace(/^(\{"result":)?\{"header":\{[^}]*\},?/gm, (_, result: string | undefined) => `${result ?? ''}{<header>,`)
    .replace(/\{<header>,\}/g, '{<header>}')
    .replace(/^(\{"result":)?\{(?!<header>)/gm, (_, result: string | undefined) => `${result ?? ''}{<header>,`)
    .replace(/\{<header>,\}/g, '{<header>}')
}

describe('the JSON gateway against etcd 3.4', () => {
  let real: RealEtcd
  let ours: ServingDataDir
  let dataDir: string
  let realBase: string
  let ourBase: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-compat-'))
    real = await startRealEtcd()
    ours = await serveDataDir({
      dataDir,
      member: {name: 'default', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379']},
      listen: ['127.0.0.1:0'],
      maxRequestBytes: 1.5 * 1024 * 1024,
    })
    realBase = `http://${real.endpoint}`
    ourBase = `http://127.0.0.1:${ours.ports[0]}`
  })
  after(async () => {
    await ours?.close()
    await real?.stop()
    await rm(dataDir, {recursive: true, force: true})
  })

  /** Unary steps in order (each side from an empty store); errors and answers alike. */
  const steps: [path: string, body: string, method?: string][] = [
    ['/v3/kv/put', `{"key":"${b64('foo')}","value":"${b64('bar')}"}`],
    ['/v3/kv/range', `{"key":"${b64('foo')}"}`],
    ['/v3beta/kv/range', `{"key":"${b64('foo')}","keys_only":true}`],
    ['/v3/kv/range', `{"key":"${b64('f')}","range_end":"${b64('g')}","sortOrder":"DESCEND","sort_target":"MOD"}`],
    ['/v3/kv/put', `{"key":"${b64('foo')}","value":"${b64('baz')}","prev_kv":true}`],
    ['/v3/kv/range', `{"key":"${b64('foo')}","revision":"100"}`],
    ['/v3/kv/range', `{"key":"${b64('foo')}","revision":2}`],
    ['/v3/kv/range', '{"key":"Zm9v'],
    ['/v3/kv/range', ''],
    ['/v3/kv/range', 'null'],
    ['/v3/kv/range', '[1]'],
    ['/v3/kv/range', '{"key":5}'],
    ['/v3/kv/range', '{"key":"!!"}'],
    ['/v3/kv/range', '{"key":"Zm9v","revision":"abc"}'],
    ['/v3/kv/range', '{"key":"Zm9v","revision":1.5}'],
    ['/v3/kv/range', '{"key":"Zm9v","sortOrder":"XX"}'],
    ['/v3/kv/range', '{"key":"Zm9v","keys_only":"true"}'],
    ['/v3/kv/range', '{"key":"Zm9v","unknown_field":1}'],
    ['/v3/kv/range', '{"key":"Zm9v" x'],
    ['/v3/kv/range', '{key:1}'],
    [
      '/v3/kv/txn',
      `{"compare":[{"key":"${b64('foo')}","target":"VALUE","result":"EQUAL","value":"${b64('baz')}"}],` +
        `"success":[{"request_put":{"key":"${b64('a')}","value":"${b64('b')}"}},{"request_range":{"key":"${b64('a')}"}}],` +
        `"failure":[{"request_delete_range":{"key":"${b64('a')}"}}]}`,
    ],
    ['/v3/kv/txn', `{"compare":[{"key":"${b64('foo')}","target":"MOD","result":"LESS","mod_revision":"1"}],"failure":[{"request_range":{"key":"${b64('a')}"}}]}`],
    ['/v3/kv/txn', `{"success":[${Array.from({length: 129}, (_, i) => `{"request_put":{"key":"${b64(`k${i}`)}"}}`).join(',')}]}`],
    ['/v3/kv/txn', `{"success":[{"request_put":{"key":"${b64('x')}"}},{"request_put":{"key":"${b64('x')}"}}]}`],
    ['/v3/kv/deleterange', `{"key":"${b64('a')}","prev_kv":true}`],
    ['/v3/kv/compaction', '{"revision":"3"}'],
    ['/v3/kv/compaction', '{"revision":"3"}'],
    ['/v3/kv/compaction', '{"revision":"300"}'],
    ['/v3/kv/range', `{"key":"${b64('foo')}","revision":2}`],
    ['/v3/kv/put', `{"key":"${b64('big')}","value":"${'A'.repeat(2 * 1024 * 1024)}"}`],
    ['/v3/kv/put', `{"key":"${b64('foo')}","lease":"12345"}`],
    ['/v3/lease/grant', '{"TTL":60,"ID":5}'],
    ['/v3/lease/grant', '{"TTL":60,"ID":5}'],
    ['/v3/lease/grant', '{"TTL":"9000000001","ID":6}'],
    ['/v3/lease/timetolive', '{"ID":"6"}'],
    ['/v3/kv/lease/timetolive', '{"ID":6}'],
    ['/v3/lease/leases', '{}'],
    ['/v3/kv/lease/leases', '{}'],
    ['/v3/kv/put', `{"key":"${b64('leased')}","lease":"5"}`],
    ['/v3/lease/revoke', '{"ID":7}'],
    ['/v3/kv/lease/revoke', '{"ID":5}'],
    ['/v3/kv/range', `{"key":"${b64('leased')}"}`],
    ['/v3/maintenance/alarm', '{}'],
    ['/v3/maintenance/alarm', '{"action":"GET"}'],
    ['/v3/kv/nope', '{}'],
    ['/v3/kv/range', '', 'GET'],
  ]

  test('unary calls answer as etcd 3.4 does (status and body)', async () => {
    for (const [path, body, method] of steps) {
      const [theirs, mine] = [await post(realBase, path, body, method), await post(ourBase, path, body, method)]
      const label = `${method ?? 'POST'} ${path} ${body.slice(0, 120)}`
      assert.equal(mine.status, theirs.status, `${label}: status (ours ${mine.body})`)
      assert.equal(normalize(mine.body), normalize(theirs.body), label)
    }
  })

  test('watch and keepalive streams: newline-delimited results', async () => {
    const watchBody = `{"create_request":{"key":"${b64('w')}","prev_kv":true}}`
    for (const base of [realBase, ourBase]) await post(base, '/v3/kv/put', `{"key":"${b64('w')}","value":"${b64('0')}"}`)
    const watches = []
    for (const base of [realBase, ourBase]) {
      watches.push(
        await stream(base, '/v3/watch', watchBody, 3, async () => {
          await post(base, '/v3/kv/put', `{"key":"${b64('w')}","value":"${b64('1')}"}`)
          await post(base, '/v3/kv/deleterange', `{"key":"${b64('w')}"}`)
        }),
      )
    }
    const [theirs, mine] = watches
    assert.equal(mine!.status, theirs!.status)
    assert.equal(normalize(mine!.body), normalize(theirs!.body))

    const keepalives = []
    for (const base of [realBase, ourBase]) {
      await post(base, '/v3/lease/grant', '{"TTL":30,"ID":77}')
      keepalives.push(await stream(base, '/v3/lease/keepalive', '{"ID":77} {"ID":78}', 2))
    }
    assert.equal(keepalives[1]!.status, keepalives[0]!.status)
    assert.equal(normalize(keepalives[1]!.body), normalize(keepalives[0]!.body))

    const bad = [await stream(realBase, '/v3/watch', 'xx', 1), await stream(ourBase, '/v3/watch', 'xx', 1)]
    assert.equal(bad[1]!.status, bad[0]!.status)
    assert.equal(bad[1]!.body, bad[0]!.body)
  })

  test('member list, status, /health and /version have etcd\'s shape', async () => {
    const members = [await post(realBase, '/v3/cluster/member/list', '{}'), await post(ourBase, '/v3/cluster/member/list', '{}')]
    const masked = members.map((answer) => normalize(answer.body).replace(/"(peerURLs|clientURLs)":\[[^\]]*\]/g, '"$1":[<urls>]'))
    assert.equal(masked[1], masked[0])

    const statuses = await Promise.all([realBase, ourBase].map((base) => post(base, '/v3/maintenance/status', '{}')))
    const keys = statuses.map((answer) => Object.keys(JSON.parse(answer.body) as object))
    assert.deepEqual(keys[1], keys[0])
    const status = JSON.parse(statuses[1]!.body) as {header: Record<string, string>; version: string; dbSize: string}
    assert.deepEqual(Object.keys(status.header), ['cluster_id', 'member_id', 'revision', 'raft_term'])
    assert.match(status.version, /^3\.5\.\d+$/)
    assert.match(status.dbSize, /^\d+$/)

    // etcd 3.5 (the version we report) adds "reason" to 3.4's {"health":"true"}
    const health = await Promise.all([realBase, ourBase].map((base) => post(base, '/health', '', 'GET')))
    assert.deepEqual([health[0]!.status, JSON.parse(health[0]!.body)], [200, {health: 'true'}])
    assert.deepEqual([health[1]!.status, health[1]!.body], [200, '{"health":"true","reason":""}'])

    const versions = await Promise.all([realBase, ourBase].map((base) => post(base, '/version', '', 'GET')))
    assert.deepEqual(Object.keys(JSON.parse(versions[0]!.body) as object), ['etcdserver', 'etcdcluster'])
    assert.equal(versions[1]!.body, '{"etcdserver":"3.5.0","etcdcluster":"3.5.0"}')
  })
})
