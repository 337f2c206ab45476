// `kctl delete`: each target deleted with the chosen propagation and grace period, reported as
// `pod "x" deleted`; then (with --wait) kctl waits until every deleted object is gone — the same
// name may come back with a new uid, which counts as gone.
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {KubeApiError} from '../../client/kube/errors.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import {KctlError} from './errors.js'
import {resolveTargets, targetName, targetQuoted, type Target, type TargetOptions} from './targets.js'

export interface DeleteOptions extends TargetOptions {
  propagationPolicy: 'Background' | 'Foreground' | 'Orphan'
  gracePeriodSeconds?: number
  wait: boolean
  timeoutMs: number
  ignoreNotFound: boolean
  output?: string
  dryRun: DryRun
  write: (s: string) => void
  report: (e: unknown) => void
}

/** How long kctl waits for deleted objects with --timeout=0 (kubectl: a week). */
const DEFAULT_WAIT_MS = 7 * 24 * 3600 * 1000
const POLL_MS = 100

export async function runDelete(client: KubeClient, args: string[], o: DeleteOptions): Promise<boolean> {
  if (o.output !== undefined && o.output !== '' && o.output !== 'name') throw new KctlError(`output format "${o.output}" not recognized, only "name" is supported`)
  const failures: unknown[] = []
  const {targets, listed} = await resolveTargets(client, args, o, (e) => failures.push(e))
  if (targets.length === 0 && listed) {
    process.stderr.write('No resources found\n')
    return true
  }
  let ok = true
  const deleted: {t: Target; uid?: string}[] = []
  for (const t of targets) {
    try {
      if (t.name === '') throw new KctlError(`error when deleting "${t.source}": resource name may not be empty`)
      if (o.dryRun === 'client') {
        await client.get(t.resource, t.namespace, t.name)
      } else {
        const res = await client.delete<KubeObject>(t.resource, t.namespace, t.name, {
          propagationPolicy: o.propagationPolicy,
          gracePeriodSeconds: o.gracePeriodSeconds,
          dryRun: o.dryRun === 'server',
        })
        deleted.push({t, uid: res.metadata?.uid ?? (res as {details?: {uid?: string}}).details?.uid})
      }
      o.write(o.output === 'name' ? `${targetName(t)}\n` : `${targetQuoted(t)} deleted${dryRunSuffix(o.dryRun)}\n`)
    } catch (err) {
      if (o.ignoreNotFound && err instanceof KubeApiError && err.code === 404) continue
      ok = false
      if (t.source !== undefined && err instanceof KubeApiError) o.report(new KubeApiError(err.code, {...err.status, message: `error when deleting "${t.source}": ${err.message}`}))
      else o.report(err)
    }
  }
  // errors of documents that could not be read come after the deletions, as kubectl's do
  for (const f of failures) {
    ok = false
    o.report(f)
  }
  if (o.wait && deleted.length > 0) {
    const deadline = Date.now() + (o.timeoutMs > 0 ? o.timeoutMs : DEFAULT_WAIT_MS)
    for (const {t, uid} of deleted) {
      while (true) {
        let gone = false
        try {
          const cur = await client.get(t.resource, t.namespace, t.name)
          gone = uid !== undefined && cur.metadata?.uid !== uid
        } catch (err) {
          if (!(err instanceof KubeApiError && err.code === 404)) throw err
          gone = true
        }
        if (gone) break
        if (Date.now() >= deadline) {
          ok = false
          o.report(new KctlError(`timed out waiting for the condition on ${t.resource.name}/${t.name}`))
          break
        }
        await new Promise((r) => setTimeout(r, POLL_MS))
      }
    }
  }
  return ok
}
