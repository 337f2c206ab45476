// The in-process API server of an embedded data dir, for kctl with nothing configured (no
// kubeconfig entry, no --server): the data dir's engine (through whichever process holds it,
// as ectl reaches it) under an API server living in this process, reached without sockets.
import {KubeClient} from '../../client/kube/client.js'
import {InProcessTransport} from '../../client/kube/inprocess-transport.js'
import type {EtcdClient, EtcdWatchLeaseClient} from '../../client/etcd/client.js'

export async function openEmbedded(dataDir: string | undefined): Promise<KubeClient> {
  const {openClient} = await import('../connect.js')
  const etcd = (await openClient({dataDir})) as EtcdClient & EtcdWatchLeaseClient
  const {createApiServer} = await import('../../engine/kube/apiserver/start.js')
  const api = createApiServer({etcd, serverAddress: 'in-process'})
  try {
    await api.start()
  } catch (err) {
    await etcd.close()
    throw err
  }
  const transport = new InProcessTransport(api, undefined, async () => {
    await api.close()
    await etcd.close()
  })
  return new KubeClient(transport, 'kctl/v1.32')
}
