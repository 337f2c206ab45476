// The in-process API server of an embedded data dir, for kctl with nothing configured.
import {KubeConnectionError} from '../../client/kube/errors.js'
import type {KubeClient} from '../../client/kube/client.js'

export async function openEmbedded(_dataDir: string | undefined): Promise<KubeClient> {
  throw new KubeConnectionError('no kubeconfig and no embedded API server in this build', 'localhost:8080', 'ECONNREFUSED')
}
