// The objects a command acts on, named as kubectl lets you name them: `TYPE NAME...`,
// `TYPE/NAME...`, `TYPE -l SELECTOR`, `TYPE --all`, or `-f FILE`. Lists are read here, so a
// command gets concrete (resource, namespace, name) targets.
import type {KubeClient, KubeList, KubeObject} from '../../client/kube/client.js'
import type {ApiResource} from '../../client/kube/discovery.js'
import {docNamespace, resourceForDoc} from './apply.js'
import {KctlError} from './errors.js'
import {parseSource, readSources} from './manifests.js'
import {resourceRequests} from './resources.js'

export interface Target {
  resource: ApiResource
  namespace: string | undefined
  name: string
  /** the object from a file, or from the list that found it */
  object?: KubeObject
  source?: string
}

export interface TargetOptions {
  filenames: string[]
  recursive: boolean
  selector?: string
  fieldSelector?: string
  all: boolean
  allNamespaces?: boolean
  namespace: string
  namespaceExplicit: boolean
  /** the arguments after the resource words (label: KEY=VAL pairs) are not names */
  argsAreResourcesOnly?: boolean
}

export const NO_RESOURCES =
  "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"

export async function resolveTargets(
  client: KubeClient,
  args: string[],
  o: TargetOptions,
  /** where a document that names no known kind goes (the others are still acted on) */
  report: (err: unknown) => void = (err) => {
    throw err
  },
): Promise<{targets: Target[]; listed: boolean}> {
  if (o.filenames.length > 0) {
    const targets: Target[] = []
    for (const s of await readSources(o.filenames, o.recursive)) {
      const parsed = parseSource(s.source, s.text)
      for (const e of parsed.errors) report(new KctlError(e.message))
      for (const doc of parsed.docs) {
        try {
          const resource = await resourceForDoc(client, doc)
          targets.push({resource, namespace: docNamespace(resource, doc, o.namespace, o.namespaceExplicit), name: doc.object.metadata?.name ?? '', object: doc.object, source: doc.source})
        } catch (err) {
          report(err)
        }
      }
    }
    return {targets, listed: false}
  }
  if (args.length === 0) throw new KctlError(NO_RESOURCES)
  const requests = await resourceRequests(client, args)
  const targets: Target[] = []
  let listed = false
  for (const req of requests) {
    const ns = req.resource.namespaced ? (o.allNamespaces ? undefined : o.namespace) : undefined
    if (req.names.length > 0) {
      if (o.selector) throw new KctlError('name cannot be provided when a selector is specified')
      for (const name of req.names) targets.push({resource: req.resource, namespace: ns, name})
      continue
    }
    if (!o.all && !o.selector && !o.fieldSelector) throw new KctlError('resource(s) were provided, but no name was specified')
    listed = true
    const list = await client.list<KubeList>(req.resource, ns, {labelSelector: o.selector, fieldSelector: o.fieldSelector})
    for (const item of list.items) {
      targets.push({resource: req.resource, namespace: req.resource.namespaced ? item.metadata?.namespace : undefined, name: item.metadata?.name ?? '', object: item})
    }
  }
  return {targets, listed}
}

/** `pod/web`, `deployment.apps/web` for a target. */
export function targetName(t: Target): string {
  const kind = t.resource.kind.toLowerCase()
  return `${kind}${t.resource.group === '' ? '' : `.${t.resource.group}`}/${t.name}`
}

/** `pod "web"`, `deployment.apps "web"`: how delete reports a target. */
export function targetQuoted(t: Target): string {
  const kind = t.resource.kind.toLowerCase()
  return `${kind}${t.resource.group === '' ? '' : `.${t.resource.group}`} "${t.name}"`
}
