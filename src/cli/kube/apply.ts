// `kctl apply -f`: each manifest document is created (with its last-applied-configuration
// annotation) or three-way merged into the live object, and reported as
// `kind.group/name created|configured|unchanged`. A bad document is reported and the others
// still go through; any failure makes the command exit 1.
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {resourceForKind, type ApiResource} from '../../client/kube/discovery.js'
import {KubeApiError} from '../../client/kube/errors.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import {KctlError} from './errors.js'
import type {FieldValidation} from './field-validation.js'
import {goJsonCompact} from './gojson.js'
import {LAST_APPLIED, threeWayPatch} from './merge-patch.js'
import type {ManifestDoc} from './manifests.js'
import {formatObjects, parseOutput, qualifiedName} from './output.js'

/** API groups whose kinds are built in (strategic merge patch); any other group is a CR. */
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'scheduling.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
])

export function isBuiltin(r: ApiResource): boolean {
  return BUILTIN_GROUPS.has(r.group)
}

/** The manifest with the annotation it leaves behind: the manifest itself as compact JSON. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj)
  const metadata = (copy.metadata ??= {})
  const annotations = {...(metadata.annotations ?? {})}
  delete annotations[LAST_APPLIED]
  metadata.annotations = annotations
  const applied = goJsonCompact(copy) + '\n'
  metadata.annotations = {...annotations, [LAST_APPLIED]: applied}
  return copy
}

export interface ApplyOptions {
  namespace: string
  /** -n was given: a manifest naming another namespace is an error */
  namespaceExplicit: boolean
  dryRun: DryRun
  output?: string
  fieldManager: string
  fieldValidation: FieldValidation
  write: (s: string) => void
  /** a warning on stderr */
  warn: (s: string) => void
  report: (err: unknown) => void
}

export function resourceFor(data: Awaited<ReturnType<KubeClient['discovery']>>, doc: ManifestDoc): ApiResource {
  const r = resourceForKind(data, doc.object.apiVersion ?? '', doc.object.kind ?? '')
  if (r === undefined) {
    const gv = doc.object.apiVersion ?? ''
    throw new KctlError(
      `resource mapping not found for name: "${doc.object.metadata?.name ?? ''}" namespace: "${doc.object.metadata?.namespace ?? ''}" from "${doc.source}": no matches for kind "${doc.object.kind}" in version "${gv}"\nensure CRDs are installed first`,
    )
  }
  return r
}

/** resourceFor, asking the server again when the cached discovery lacks the kind. */
export async function resourceForDoc(client: KubeClient, doc: ManifestDoc): Promise<ApiResource> {
  try {
    return resourceFor(await client.discovery(), doc)
  } catch (err) {
    if (err instanceof KctlError && client.invalidateDiscovery()) return resourceFor(await client.discovery(), doc)
    throw err
  }
}

/** The namespace a document goes to, with kubectl's check against an explicit -n. */
export function docNamespace(r: ApiResource, doc: ManifestDoc, namespace: string, explicit: boolean): string | undefined {
  if (!r.namespaced) return undefined
  const own = doc.object.metadata?.namespace
  if (own !== undefined && own !== '' && explicit && own !== namespace) {
    throw new KctlError(
      `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    )
  }
  return own !== undefined && own !== '' ? own : namespace
}

/**
 * What one document of an apply (client- or server-side) writes: its resource, namespace, a
 * copy of the object with that namespace set, and its name, which must not be empty.
 */
export async function applyTarget(client: KubeClient, doc: ManifestDoc, o: {namespace: string; namespaceExplicit: boolean}) {
  const r = await resourceForDoc(client, doc)
  const ns = docNamespace(r, doc, o.namespace, o.namespaceExplicit)
  const manifest = structuredClone(doc.object)
  if (ns !== undefined) (manifest.metadata ??= {}).namespace = ns
  const name = manifest.metadata?.name
  if (name === undefined || name === '') {
    throw new KctlError(
      `error when retrieving current configuration of:\nResource: "${r.group}/${r.version}, Resource=${r.name}", GroupVersionKind: "${r.group}/${r.version}, Kind=${r.kind}"\nName: "", Namespace: "${ns ?? ''}"\nfrom server for: "${doc.source}": resource name may not be empty`,
    )
  }
  return {r, ns, manifest, name}
}

export async function applyDocs(client: KubeClient, docs: ManifestDoc[], o: ApplyOptions): Promise<boolean> {
  let ok = true
  const format = o.output ? parseOutput(o.output) : undefined
  for (const doc of docs) {
    try {
      const {r, ns, manifest, name} = await applyTarget(client, doc, o)
      const modified = withLastApplied(manifest)
      let current: KubeObject | undefined
      try {
        current = await client.get(r, ns, name)
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 404)) throw err
      }
      const label = qualifiedName({...manifest, apiVersion: manifest.apiVersion, kind: manifest.kind})
      if (current === undefined) {
        if (o.dryRun === 'client') {
          o.write(format ? formatObjects(format, [modified], true) : `${label} created${dryRunSuffix('client')}\n`)
          continue
        }
        const created = await client.create(r, ns, modified, {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager, fieldValidation: o.fieldValidation}).catch((err) => {
          throw whenCreating(err, doc.source)
        })
        o.write(format ? formatObjects(format, [created], true) : `${label} created${dryRunSuffix(o.dryRun)}\n`)
        continue
      }
      const originalText = current.metadata?.annotations?.[LAST_APPLIED]
      if (originalText === undefined && o.dryRun !== 'client') {
        // an object another tool made (or server-side apply): the three-way merge has no past
        const objectName = `${r.group === '' ? r.name : `${r.name}.${r.group}`}/${name}`
        o.warn(
          `Warning: resource ${objectName} is missing the ${LAST_APPLIED} annotation which is required by kctl apply. kctl apply should only be used on resources created declaratively by either kctl create --save-config or kctl apply. The missing annotation will be patched automatically.\n`,
        )
      }
      let original: Record<string, unknown> | undefined
      if (originalText !== undefined && originalText !== '') {
        try {
          original = JSON.parse(originalText) as Record<string, unknown>
        } catch {
          original = undefined
        }
      }
      const patch = threeWayPatch(original, modified, current, {strategic: isBuiltin(r)})
      if (Object.keys(patch).length === 0) {
        o.write(format ? formatObjects(format, [current], true) : `${label} unchanged${dryRunSuffix(o.dryRun)}\n`)
        continue
      }
      if (o.dryRun === 'client') {
        o.write(format ? formatObjects(format, [current], true) : `${label} configured${dryRunSuffix('client')}\n`)
        continue
      }
      const patched = await client
        .patch(r, ns, name, isBuiltin(r) ? 'strategic' : 'merge', patch, {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager, fieldValidation: o.fieldValidation})
        .catch((err) => {
          throw whenPatching(err, doc.source, r, ns, name)
        })
      o.write(format ? formatObjects(format, [patched], true) : `${label} configured${dryRunSuffix(o.dryRun)}\n`)
    } catch (err) {
      ok = false
      o.report(err)
    }
  }
  return ok
}

function whenCreating(err: unknown, source: string): unknown {
  if (err instanceof KubeApiError) {
    return new KubeApiError(err.code, {...err.status, message: `error when creating "${source}": ${err.message}`})
  }
  return err
}

function whenPatching(err: unknown, source: string, r: ApiResource, ns: string | undefined, name: string): unknown {
  if (err instanceof KubeApiError) {
    const gvr = `${r.group}/${r.version}, Resource=${r.name}`
    const gvk = `${r.group}/${r.version}, Kind=${r.kind}`
    return new KubeApiError(err.code, {
      ...err.status,
      message: `error when applying patch:\n\nto:\nResource: "${gvr}", GroupVersionKind: "${gvk}"\nName: "${name}", Namespace: "${ns ?? ''}"\nfor: "${source}": ${err.message}`,
    })
  }
  return err
}
