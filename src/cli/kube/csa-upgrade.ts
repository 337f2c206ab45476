// What kubectl does after a server-side apply to an object that client-side apply managed
// before (client-go's csaupgrade, as kubectl apply uses it):
//
// 1. With the default `kubectl` field manager, the last-applied-configuration annotation is
//    first applied alone by the `kubectl-last-applied` manager, unless some applier already
//    owns it, so the annotation outlives the migration.
// 2. The managers that own the annotation through Update operations (client-side apply's
//    `kubectl-client-side-apply`) are merged into the applier's entry — their fields become the
//    applier's — and dropped, in one JSON patch of metadata.managedFields that also replaces
//    resourceVersion, so a concurrent write makes it fail with 409 (then kubectl re-reads the
//    object and tries again, up to 5 times).
// 3. The configuration is applied once more: fields client-side apply set that the
//    configuration no longer names now belong to the applier alone, and go.
//
// Failures in these steps are warnings (the apply itself succeeded), in kubectl's words.
import type {ApiResource} from '../../client/kube/discovery.js'
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {KubeApiError} from '../../client/kube/errors.js'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const LAST_APPLIED_PATH = ['f:metadata', 'f:annotations', `f:${LAST_APPLIED}`]
const LAST_APPLIED_MANAGER = 'kubectl-last-applied'
const DEFAULT_MANAGER = 'kubectl'
const MAX_PATCH_RETRY = 5

export const warnings = {
  lastAppliedFailed: (e: string) => `Warning: failed to migrate kubectl.kubernetes.io/last-applied-configuration for Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: ${e}\n`,
  patchFailed: (e: string) => `Warning: server rejected managed fields migration to Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: ${e}\n`,
  reapplyFailed: (e: string) => `Warning: failed to re-apply configuration after performing Server-Side Apply migration. This is non-fatal and will be retried next time you apply. Error: ${e}\n`,
}

interface ManagedFieldsEntry extends Json {
  manager?: string
  operation?: string
  apiVersion?: string
  subresource?: string
  fieldsV1?: unknown
}

const entriesOf = (obj: KubeObject): ManagedFieldsEntry[] => (Array.isArray(obj.metadata?.managedFields) ? (obj.metadata.managedFields as ManagedFieldsEntry[]) : [])

/** Whether a FieldsV1 tree holds `path` as a field of its own (a leaf, or a node marked `.`). */
export function fieldsHold(fieldsV1: unknown, path: readonly string[]): boolean {
  let node: unknown = fieldsV1
  for (const p of path) {
    if (!isObj(node) || !Object.hasOwn(node, p)) return false
    node = node[p]
  }
  return isObj(node) && (Object.keys(node).length === 0 || Object.hasOwn(node, '.'))
}

/** The union of two FieldsV1 trees. */
export function fieldsUnion(a: unknown, b: unknown): Json {
  const out: Json = isObj(a) ? structuredClone(a) : {}
  if (!isObj(b)) return out
  for (const [k, v] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? fieldsUnion(out[k], v) : structuredClone(v)
  return out
}

/** csaupgrade.FindFieldsOwners for the annotation: the entries of `operation` that own it. */
function annotationOwners(entries: ManagedFieldsEntry[], operation: 'Apply' | 'Update'): ManagedFieldsEntry[] {
  return entries.filter((e) => e.operation === operation && fieldsHold(e.fieldsV1, LAST_APPLIED_PATH))
}

const isCsa = (e: ManagedFieldsEntry, name: string) => e.manager === name && e.operation === 'Update' && !e.subresource

/**
 * csaupgrade's upgradedManagedFields: the applier's entry (or else the newest entry of the
 * client-side manager, turned into the applier's) takes the fields of the client-side
 * manager's entry of the same apiVersion, and every Update entry of that manager goes.
 */
export function upgradeManagedFields(entries: ManagedFieldsEntry[], csaManager: string, ssaManager: string): ManagedFieldsEntry[] {
  const out = entries.map((e) => ({...e}))
  let target = out.findIndex((e) => e.manager === ssaManager && e.operation === 'Apply' && !e.subresource)
  if (target < 0) {
    // entries are newest first
    target = out.findIndex((e) => isCsa(e, csaManager))
    if (target < 0) return out
    out[target] = {...out[target], operation: 'Apply', manager: ssaManager}
  }
  const csa = out.find((e) => isCsa(e, csaManager) && e.apiVersion === out[target]!.apiVersion)
  if (csa !== undefined) out[target] = {...out[target], fieldsV1: fieldsUnion(out[target]!.fieldsV1, csa.fieldsV1)}
  return out.filter((e) => !isCsa(e, csaManager))
}

export interface MigrationContext {
  client: KubeClient
  r: ApiResource
  namespace: string | undefined
  name: string
  fieldManager: string
  dryRun: boolean
  /** sends the configuration again as the apply did (same options) */
  reapply: () => Promise<KubeObject>
  warn: (text: string) => void
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Step 1; the object as it is afterwards. */
async function saveLastApplied(c: MigrationContext, obj: KubeObject): Promise<KubeObject> {
  if (c.fieldManager !== DEFAULT_MANAGER) return obj
  const value = obj.metadata?.annotations?.[LAST_APPLIED]
  if (value === undefined) return obj
  if (annotationOwners(entriesOf(obj), 'Apply').length > 0) return obj
  const metadata: Json = {name: obj.metadata?.name}
  if (obj.metadata?.namespace !== undefined) metadata['namespace'] = obj.metadata.namespace
  metadata['annotations'] = {[LAST_APPLIED]: value}
  const justAnnotation = {apiVersion: obj.apiVersion, kind: obj.kind, metadata}
  return c.client.patch(c.r, c.namespace, c.name, 'apply', JSON.stringify(justAnnotation), {dryRun: c.dryRun, fieldManager: LAST_APPLIED_MANAGER})
}

/** Step 2; the migrated object, or undefined when there was nothing to migrate. */
async function migrate(c: MigrationContext, obj: KubeObject): Promise<KubeObject | undefined> {
  const csaManagers = [...new Set(annotationOwners(entriesOf(obj), 'Update').map((e) => e.manager ?? ''))]
  let current = obj
  let lastError: unknown
  for (let attempt = 0; attempt < MAX_PATCH_RETRY; attempt++) {
    const before = entriesOf(current)
    let after = before
    for (const m of csaManagers) after = upgradeManagedFields(after, m, c.fieldManager)
    if (JSON.stringify(after) === JSON.stringify(before)) return undefined
    const patch = [
      {op: 'replace', path: '/metadata/managedFields', value: after},
      // replace, not test: a changed object fails with 409 Conflict from storage
      {op: 'replace', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion ?? ''},
    ]
    try {
      return await c.client.patch(c.r, c.namespace, c.name, 'json', JSON.stringify(patch), {dryRun: c.dryRun, fieldManager: c.fieldManager})
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 409)) throw err
      lastError = err
      current = await c.client.get(c.r, c.namespace, c.name)
    }
  }
  throw lastError
}

/** Steps 1 to 3 after a successful server-side apply; the object to report. */
export async function migrateFromClientSideApply(c: MigrationContext, applied: KubeObject): Promise<KubeObject> {
  let obj: KubeObject
  try {
    obj = await saveLastApplied(c, applied)
  } catch (err) {
    c.warn(warnings.lastAppliedFailed(message(err)))
    return applied
  }
  let migrated: KubeObject | undefined
  try {
    migrated = await migrate(c, obj)
  } catch (err) {
    c.warn(warnings.patchFailed(message(err)))
    return obj
  }
  if (migrated === undefined) return obj
  try {
    return await c.reapply()
  } catch (err) {
    c.warn(warnings.reapplyFailed(message(err)))
    return migrated
  }
}
