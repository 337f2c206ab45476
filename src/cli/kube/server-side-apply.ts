// `kctl apply --server-side`: each manifest document is sent whole as an apply patch
// (application/apply-patch+yaml) under the field manager, and the server merges it and tracks
// field ownership. Reported as `kind.group/name serverside-applied`; a conflict with another
// manager is explained as kubectl explains it. An object client-side apply managed before is
// migrated afterwards (csa-upgrade.ts).
import type {KubeClient} from '../../client/kube/client.js'
import {KubeApiError} from '../../client/kube/errors.js'
import {applyTarget} from './apply.js'
import {migrateFromClientSideApply} from './csa-upgrade.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import {KctlError} from './errors.js'
import type {ManifestDoc} from './manifests.js'
import {formatObjects, parseOutput, qualifiedName} from './output.js'

export interface ServerSideApplyOptions {
  namespace: string
  namespaceExplicit: boolean
  dryRun: DryRun
  output?: string
  fieldManager: string
  forceConflicts: boolean
  fieldValidation: 'Ignore' | 'Warn' | 'Strict'
  write: (s: string) => void
  /** a warning on stderr */
  warn: (s: string) => void
  report: (err: unknown) => void
}

const conflictHelp = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`

export async function serverSideApplyDocs(client: KubeClient, docs: ManifestDoc[], o: ServerSideApplyOptions): Promise<boolean> {
  let ok = true
  const format = o.output ? parseOutput(o.output) : undefined
  for (const doc of docs) {
    try {
      const {r, ns, manifest, name} = await applyTarget(client, doc, o)
      const send = () => client.patch(r, ns, name, 'apply', JSON.stringify(manifest), {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager, fieldValidation: o.fieldValidation, force: o.forceConflicts})
      let applied = await send().catch((err: unknown) => {
        if (err instanceof KubeApiError && err.code === 409) throw new KctlError(`${err.message}\n${conflictHelp}`)
        throw err
      })
      // an object client-side apply managed so far changes hands, as kubectl hands it over
      applied = await migrateFromClientSideApply({client, r, namespace: ns, name, fieldManager: o.fieldManager, dryRun: o.dryRun === 'server', reapply: send, warn: o.warn}, applied)
      o.write(format ? formatObjects(format, [applied], true) : `${qualifiedName(manifest)} serverside-applied${dryRunSuffix(o.dryRun)}\n`)
    } catch (err) {
      ok = false
      o.report(err)
    }
  }
  return ok
}
