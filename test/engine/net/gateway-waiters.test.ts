// A Lock or Campaign through the HTTP/JSON gateway whose client goes away while it waits gives
// its place back (its waiting key is deleted, its lease left alone), as over gRPC: when the
// holder lets go, the next live waiter gets the lock or the leadership, never the gone one.
import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {request as httpRequest, type ClientRequest} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {serveDataDir, type ServingDataDir} from '../../../src/engine/net/grpc/serve-datadir.js'

const b64 = (text: string) => Buffer.from(text).toString('base64')

/** A POST whose answer is awaited, and the request itself, so a test can hang up. */
function post(port: number, path: string, body: unknown): {request: ClientRequest; answer: Promise<Record<string, unknown>>} {
  let request!: ClientRequest
  const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
    request = httpRequest({host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: {'content-type': 'application/json'}}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        if (response.statusCode !== 200) reject(new Error(`${path}: HTTP ${response.statusCode} ${text}`))
        else resolve(JSON.parse(text) as Record<string, unknown>)
      })
    })
    request.on('error', reject)
    request.end(JSON.stringify(body))
  })
  return {request, answer}
}

describe('the gateway gives a waiter whose client went away its place back', () => {
  let dataDir: string
  let serving: ServingDataDir
  let port: number
  const call = (path: string, body: unknown) => post(port, path, body).answer

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-waiters-'))
    serving = await serveDataDir({dataDir, member: {name: 'n1', peerURLs: [], clientURLs: []}, listen: ['127.0.0.1:0'], maxRequestBytes: 1.5 * 1024 * 1024})
    port = serving.ports[0]!
  })

  after(async () => {
    await serving.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  const lease = async () => String((await call('/v3/lease/grant', {TTL: 60})).ID)
  /** The keys under `prefix` once there are `expected` of them (polls: a waiter's key comes and goes asynchronously). */
  const keysUnder = async (prefix: string, expected: number) => {
    let keys: {key: string; lease?: string}[] = []
    for (let tries = 0; tries < 1000; tries++) {
      const range = await call('/v3/kv/range', {key: b64(prefix), range_end: b64(prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1))})
      keys = (range.kvs as {key: string; lease?: string}[] | undefined) ?? []
      if (keys.length === expected) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return keys
  }

  for (const kind of ['lock', 'campaign'] as const) {
    test(`${kind}: a waiter whose request was aborted never gets it; the next live waiter does`, async () => {
      const name = `${kind}-name/`
      const wait = (leaseId: string) =>
        kind === 'lock'
          ? post(port, '/v3/lock/lock', {name: b64(name.slice(0, -1)), lease: leaseId})
          : post(port, '/v3/election/campaign', {name: b64(name.slice(0, -1)), lease: leaseId, value: b64(leaseId)})
      const [holderLease, goneLease, liveLease] = [await lease(), await lease(), await lease()]
      const holder = await wait(holderLease).answer
      const held = kind === 'lock' ? (holder.key as string) : ((holder.leader as {key: string}).key)

      const gone = wait(goneLease)
      gone.answer.catch(() => undefined)
      assert.equal((await keysUnder(name, 2)).length, 2)
      gone.request.destroy()
      const afterGone = await keysUnder(name, 1)
      assert.deepEqual(afterGone.map((kv) => kv.key), [held], 'the aborted waiter deleted its key')

      const live = wait(liveLease)
      assert.equal((await keysUnder(name, 2)).length, 2)
      if (kind === 'lock') await call('/v3/lock/unlock', {key: held})
      else await call('/v3/election/resign', {leader: holder.leader})
      const winner = await live.answer
      const winnerKey = kind === 'lock' ? (winner.key as string) : ((winner.leader as {key: string}).key)
      const now = await keysUnder(name, 1)
      assert.deepEqual(now.map((kv) => [kv.key, kv.lease]), [[winnerKey, liveLease]])
      // the gone waiter's lease was not revoked: only its key went
      assert.equal((await call('/v3/lease/timetolive', {ID: goneLease})).TTL !== '-1', true)
    })
  }
})
