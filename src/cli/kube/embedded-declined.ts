// embedded.ts as the lite bundle has it: the engine is not in that bundle, so a run that would
// open it is handed to the full bundle. in-process-route.ts sends such runs there before they
// start; this is the net under it, thrown before the command has sent or printed anything.
import type {KubeClient} from '../../client/kube/client.js'
import {LiteDeclined} from '../lite/parse.js'

export function openEmbedded(_dataDir: string | undefined, _opts: {controllers?: boolean} = {}): Promise<KubeClient> {
  return Promise.reject(new LiteDeclined('the embedded engine is in the full bundle'))
}
