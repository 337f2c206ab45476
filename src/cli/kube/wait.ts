// `kctl wait`: polls each target until its condition holds (a status condition, a JSONPath
// value, existence or deletion) or the timeout passes; `pod/x condition met` for each.
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {KubeApiError} from '../../client/kube/errors.js'
import type {Any} from './describe/writer.js'
import {KctlError} from './errors.js'
import {executeJsonPathValues, parseJsonPath} from './jsonpath.js'
import {formatObjects, parseOutput} from './output.js'
import {resolveTargets, targetName, type TargetOptions} from './targets.js'

export type Condition =
  | {kind: 'delete'}
  | {kind: 'create'}
  | {kind: 'condition'; type: string; value: string}
  | {kind: 'jsonpath'; path: ReturnType<typeof parseJsonPath>; value?: string}

export function parseCondition(raw: string): Condition {
  if (raw === 'delete') return {kind: 'delete'}
  if (raw === 'create') return {kind: 'create'}
  if (raw.startsWith('condition=')) {
    const rest = raw.slice('condition='.length)
    const eq = rest.indexOf('=')
    return {kind: 'condition', type: eq < 0 ? rest : rest.slice(0, eq), value: eq < 0 ? 'true' : rest.slice(eq + 1)}
  }
  if (raw.startsWith('jsonpath=')) {
    const rest = raw.slice('jsonpath='.length)
    const close = rest.lastIndexOf('}')
    const expr = close < 0 ? rest : rest.slice(0, close + 1)
    const value = close < 0 || close === rest.length - 1 ? undefined : rest.slice(close + 1).replace(/^=/, '')
    try {
      return {kind: 'jsonpath', path: parseJsonPath(expr.startsWith('{') ? expr : `{${expr}}`), value}
    } catch (err) {
      throw new KctlError(`unable to parse jsonpath ${expr}: ${(err as Error).message}`)
    }
  }
  throw new KctlError(`unrecognized condition: "${raw}"`)
}

function holds(obj: Any, c: Condition): boolean {
  if (c.kind === 'condition') {
    const conds = (obj['status']?.['conditions'] as Any[] | undefined) ?? []
    return conds.some((x) => String(x['type']).toLowerCase() === c.type.toLowerCase() && String(x['status']).toLowerCase() === c.value.toLowerCase())
  }
  if (c.kind === 'jsonpath') {
    const values = executeJsonPathValues(c.path, obj)
    if (c.value === undefined) return values.length > 0
    return values.length > 0 && values.every((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)) === c.value)
  }
  return true
}

const POLL_MS = 200

export interface WaitOptions extends TargetOptions {
  timeoutMs: number
  output?: string
  write: (s: string) => void
  report: (e: unknown) => void
}

export async function runWait(client: KubeClient, args: string[], c: Condition, o: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs
  let targets
  try {
    targets = (await resolveTargets(client, args, o)).targets
  } catch (err) {
    if (c.kind === 'delete' && err instanceof KctlError && /no name was specified/.test(err.message)) return true
    throw err
  }
  if (targets.length === 0) {
    if (c.kind === 'delete') return true
    throw new KctlError('no matching resources found')
  }
  let ok = true
  for (const t of targets) {
    const uid = t.object?.metadata?.uid
    while (true) {
      let obj: KubeObject | undefined
      try {
        obj = await client.get(t.resource, t.namespace, t.name)
      } catch (err) {
        // only deletion and creation are waited for; a condition needs the object there
        if (!(err instanceof KubeApiError && err.code === 404) || c.kind === 'condition' || c.kind === 'jsonpath') throw err
      }
      const gone = obj === undefined || (uid !== undefined && obj.metadata?.uid !== uid)
      let met = false
      if (c.kind === 'delete') met = gone
      else if (obj !== undefined) met = c.kind === 'create' || holds(obj, c)
      if (met) {
        if (c.kind === 'delete' && obj === undefined && t.object === undefined) break
        if (o.output && obj !== undefined) o.write(formatObjects(parseOutput(o.output), [obj], true))
        else o.write(`${targetName(t)} condition met\n`)
        break
      }
      if (Date.now() >= deadline) {
        ok = false
        o.report(new KctlError(`timed out waiting for the condition on ${t.resource.name}/${t.name}`))
        break
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
  }
  return ok
}
