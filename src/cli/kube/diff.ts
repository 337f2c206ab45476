// `kctl diff -f`: what `apply` would change. For each manifest the live object and the object
// the server would keep (a server-side dry run of the same apply) are written as YAML into
// LIVE-* and MERGED-* folders, and `diff -u -N` (or $KUBECTL_EXTERNAL_DIFF) compares them.
// Exit 0: no differences; 1: differences; above 1: kctl or the diff program failed.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {KubeApiError} from '../../client/kube/errors.js'
import {docNamespace, isBuiltin, resourceForDoc, withLastApplied} from './apply.js'
import {KctlError} from './errors.js'
import type {ManifestDoc} from './manifests.js'
import {LAST_APPLIED, threeWayPatch} from './merge-patch.js'
import {toYaml} from './yaml.js'

function clean(o: KubeObject): KubeObject {
  const copy = structuredClone(o)
  if (copy.metadata) delete copy.metadata.managedFields
  return copy
}

/** kubectl's diff leaves the last-applied annotation as it is live: only the manifest's changes show. */
function keepLastApplied(after: KubeObject, current: KubeObject | undefined): KubeObject {
  const copy = structuredClone(after)
  const live = current?.metadata?.annotations?.[LAST_APPLIED]
  const ann = copy.metadata?.annotations
  if (ann === undefined) return copy
  if (live === undefined) {
    delete ann[LAST_APPLIED]
    if (Object.keys(ann).length === 0) delete copy.metadata!.annotations
  } else ann[LAST_APPLIED] = live
  return copy
}

/** The diff program: $KUBECTL_EXTERNAL_DIFF (a command and plain flags) or `diff -u -N`. */
export function diffCommand(env: NodeJS.ProcessEnv): string[] {
  const external = env['KUBECTL_EXTERNAL_DIFF']
  if (external !== undefined && external.trim() !== '') {
    const parts = external.trim().split(/\s+/)
    for (const flag of parts.slice(1)) if (!/^[-=a-zA-Z0-9]+$/.test(flag)) throw new KctlError(`external diff argument "${flag}" is not allowed`)
    return parts
  }
  return ['diff', '-u', '-N']
}

export async function runDiff(client: KubeClient, docs: ManifestDoc[], o: {namespace: string; namespaceExplicit: boolean; fieldManager: string}): Promise<number> {
  const live = mkdtempSync(join(tmpdir(), 'LIVE-'))
  const merged = mkdtempSync(join(tmpdir(), 'MERGED-'))
  try {
    for (const doc of docs) {
      const r = await resourceForDoc(client, doc)
      const ns = docNamespace(r, doc, o.namespace, o.namespaceExplicit)
      const manifest = structuredClone(doc.object)
      if (ns !== undefined) (manifest.metadata ??= {}).namespace = ns
      const name = manifest.metadata?.name ?? ''
      const modified = withLastApplied(manifest)
      let current: KubeObject | undefined
      try {
        current = await client.get(r, ns, name)
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 404)) throw err
      }
      let after: KubeObject
      if (current === undefined) {
        after = await client.create(r, ns, modified, {dryRun: true, fieldManager: o.fieldManager})
      } else {
        const text = current.metadata?.annotations?.[LAST_APPLIED]
        const original = text ? (JSON.parse(text) as Record<string, unknown>) : undefined
        const patch = threeWayPatch(original, modified, current, {strategic: isBuiltin(r)})
        after = Object.keys(patch).length === 0 ? current : await client.patch(r, ns, name, isBuiltin(r) ? 'strategic' : 'merge', patch, {dryRun: true, fieldManager: o.fieldManager})
      }
      const file = `${r.group === '' ? '' : `${r.group}.`}${r.version}.${r.kind}.${ns === undefined ? '' : `${ns}.`}${name}`
      // a new object has an empty live file, as kubectl writes it
      writeFileSync(join(live, file), current === undefined ? '' : toYaml(clean(current)))
      writeFileSync(join(merged, file), toYaml(clean(keepLastApplied(after, current))))
    }
    const [cmd, ...args] = diffCommand(process.env)
    const res = spawnSync(cmd!, [...args, live, merged], {stdio: ['ignore', 'inherit', 'inherit']})
    if (res.error !== undefined) throw new KctlError(`failed to run "${cmd}": ${res.error.message}`)
    return res.status ?? 2
  } finally {
    rmSync(live, {recursive: true, force: true})
    rmSync(merged, {recursive: true, force: true})
  }
}
