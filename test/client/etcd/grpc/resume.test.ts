// Watch and lease keep-alive across a cut connection: the first endpoint is a TCP proxy the
// test cuts; the stream reopens on the next endpoint from the last revision seen + 1, so every
// event arrives once, in order, and a keep-alive sent around the cut is answered.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {WatchCreateRequest, type WatchResponse} from '../../../../src/api/proto/rpc.js'
import {createGrpcEtcdClient} from '../../../../src/client/etcd/grpc/client.js'
import {startEctlServer, type EctlServer} from '../../../compat/harness/ectl-server.js'
import {ectlLauncher} from '../../../compat/harness/script.js'
import {type EtcdMember, startEtcd, startProxy} from './etcd-member.js'

let etcd: EtcdMember
let server: EctlServer
before(async () => {
  ;[etcd, server] = await Promise.all([startEtcd(), startEctlServer(ectlLauncher, {...process.env, NODE_OPTIONS: ''})])
})
after(async () => {
  await Promise.all([etcd?.stop(), server?.stop()])
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

for (const target of ['etcd', 'ectl server'] as const) {
  const address = () => (target === 'etcd' ? etcd.address : server.endpoint)

  test(`${target}: a watch resumes on the next endpoint after its connection is cut, no event lost or repeated`, async () => {
    const proxy = await startProxy(address())
    const writer = createGrpcEtcdClient({endpoints: [address()]})
    const client = createGrpcEtcdClient({endpoints: [proxy.address, address()]})
    const prefix = `resume-${target.replace(' ', '-')}/`
    try {
      const watch = client.watch()
      watch.send({createRequest: WatchCreateRequest.fromPartial({key: Buffer.from(prefix), rangeEnd: Buffer.from(prefix.slice(0, -1) + '0')})})
      const keys: string[] = []
      const responses: WatchResponse[] = []
      const total = 30
      let created: () => void = () => undefined
      const watching = new Promise<void>((resolve) => (created = resolve))
      const reading = (async () => {
        for await (const response of watch) {
          if (response.created) created()
          responses.push(response)
          for (const event of response.events) keys.push(event.kv!.key.toString())
          if (keys.length >= total) return
        }
      })()
      // the watcher exists before the first write (it starts at the revision after its creation)
      await Promise.race([watching, sleep(10_000).then(() => assert.fail('the watch was not created'))])
      for (let i = 0; i < total; i++) {
        if (i === 10) await proxy.cut(true) // the first endpoint is gone for good
        await writer.put({key: Buffer.from(`${prefix}${String(i).padStart(2, '0')}`), value: Buffer.from(String(i))})
        if (i === 10) await sleep(100)
      }
      await Promise.race([reading, sleep(10_000).then(() => assert.fail(`only ${keys.length} events: ${keys.join(' ')}`))])
      watch.close()
      assert.deepEqual(keys, Array.from({length: total}, (_, i) => `${prefix}${String(i).padStart(2, '0')}`))
      assert.equal(responses.filter((r) => r.created).length, 1, 'the re-created watcher is not announced again')
      assert.equal(client.endpoint, address())
    } finally {
      await client.close()
      await writer.close()
      await proxy.close()
    }
  })

  test(`${target}: keep-alives are answered across a cut connection`, async () => {
    const proxy = await startProxy(address())
    const client = createGrpcEtcdClient({endpoints: [proxy.address, address()]})
    try {
      const lease = await client.leaseGrant({TTL: 30n})
      const keepAlive = client.leaseKeepAlive()
      const answers = keepAlive[Symbol.asyncIterator]()
      keepAlive.send({ID: lease.ID})
      assert.equal((await answers.next()).value.TTL, 30n)
      await proxy.cut(true)
      keepAlive.send({ID: lease.ID})
      const second = await Promise.race([answers.next(), sleep(10_000).then(() => assert.fail('no answer after the cut'))])
      assert.equal(second.value.ID, lease.ID)
      assert.equal(second.value.TTL, 30n)
      keepAlive.close()
    } finally {
      await client.close()
      await proxy.close()
    }
  })
}
