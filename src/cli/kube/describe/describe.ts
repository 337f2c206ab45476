// `kctl describe`: each object through the describer of its kind, then its events.
import type {KubeClient, KubeList, KubeObject} from '../../../client/kube/client.js'
import type {ApiResource} from '../../../client/kube/discovery.js'
import {KubeApiError} from '../../../client/kube/errors.js'
import type {ResourceRequest} from '../resources.js'
import {objectEvents, writeEvents} from './events.js'
import {describeConfigMap, describeDeployment, describeGeneric, describeNamespace, describeService} from './kinds.js'
import {describeNode} from './node.js'
import {describePod} from './pod.js'
import {DescribeWriter, type Any} from './writer.js'

export interface DescribeOptions {
  namespace: string
  allNamespaces: boolean
  selector?: string
  showEvents: boolean
  write: (s: string) => void
  report: (e: unknown) => void
}

async function describeOne(client: KubeClient, r: ApiResource, obj: KubeObject, o: DescribeOptions): Promise<string> {
  const data = await client.discovery()
  const w = new DescribeWriter()
  const a = obj as Any
  const key = `${r.group}/${r.kind}`
  let events = true
  switch (key) {
    case '/Pod':
      describePod(w, a)
      break
    case 'apps/Deployment':
      describeDeployment(w, a)
      break
    case '/Service':
      await describeService(w, a, client, data)
      break
    case '/Namespace':
      await describeNamespace(w, a, client, data)
      events = false
      break
    case '/ConfigMap':
      describeConfigMap(w, a)
      break
    case '/Node':
      await describeNode(w, a, client, data)
      break
    default:
      describeGeneric(w, a)
  }
  if (events && o.showEvents) writeEvents(w, await objectEvents(client, data, obj), Date.now())
  return w.done()
}

export async function runDescribe(client: KubeClient, requests: ResourceRequest[], o: DescribeOptions): Promise<void> {
  const outputs: string[] = []
  for (const req of requests) {
    const ns = req.resource.namespaced && !o.allNamespaces ? o.namespace : undefined
    let objects: KubeObject[] = []
    if (req.names.length > 0) {
      for (const name of req.names) {
        try {
          objects.push(await client.get(req.resource, ns, name))
        } catch (err) {
          if (!(err instanceof KubeApiError && err.code === 404)) throw err
          // kubectl describes every object whose name starts with the given one
          const all = await client.list<KubeList>(req.resource, ns)
          const matches = all.items.filter((i) => i.metadata?.name?.startsWith(name))
          if (matches.length === 0) o.report(err)
          objects.push(...matches)
        }
      }
    } else {
      objects = (await client.list<KubeList>(req.resource, ns, {labelSelector: o.selector})).items
    }
    for (const obj of objects) outputs.push(await describeOne(client, req.resource, obj, o))
  }
  if (outputs.length === 0 && requests.every((r) => r.names.length === 0)) {
    // not a failure: kubectl says so on stderr and exits 0 (naming its namespace even for
    // cluster-scoped kinds)
    process.stderr.write(o.allNamespaces ? 'No resources found\n' : `No resources found in ${o.namespace} namespace.\n`)
    return
  }
  o.write(outputs.join('\n\n'))
}
