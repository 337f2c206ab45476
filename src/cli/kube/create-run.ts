// What every `kctl create KIND` does with the object its generator made: print it (client
// dry run), or send it and report `kind.group/name created` (or the server's object in -o).
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {KctlError} from './errors.js'
import {dryRunSuffix, type DryRun} from './dry-run.js'
import type {FieldValidation} from './field-validation.js'
import {goJson} from './gojson.js'
import {formatObjects, parseOutput, qualifiedName} from './output.js'
import {toYaml} from './yaml.js'

export {dryRunSuffix, parseDryRun, type DryRun} from './dry-run.js'

/** Prints an object kctl made itself, in the Go types' key order (json) or kubectl's yaml. */
export function printTyped(obj: KubeObject, output: string): string {
  const format = parseOutput(output)
  if (format.kind === 'json') return goJson(obj, false) + '\n'
  if (format.kind === 'yaml') return toYaml(obj)
  return formatObjects(format, [obj], true)
}

/** How each kubectl generator words a failed create (namespace and the RBAC roles do not). */
const CREATE_FAILURE: Record<string, string> = {
  ConfigMap: 'failed to create configmap: ',
  Secret: 'failed to create secret ',
  Deployment: 'failed to create deployment: ',
  Service: 'failed to create ClusterIP service: ',
  ServiceAccount: 'failed to create serviceaccount: ',
  Job: 'failed to create job: ',
  CronJob: 'failed to create cronjob: ',
  RoleBinding: 'failed to create rolebinding: ',
  ClusterRoleBinding: 'failed to create clusterrolebinding: ',
}

export interface SubmitOptions {
  dryRun: DryRun
  output?: string
  namespace: string
  fieldManager?: string
  /** --validate; generated objects (create KIND) send none */
  fieldValidation?: FieldValidation
  client: () => Promise<KubeClient>
  /** made by a `create KIND` generator (not read from a file) */
  generated?: boolean
}

export async function submitObject(obj: KubeObject, o: SubmitOptions): Promise<string> {
  const output = o.output ?? ''
  if (output !== '') parseOutput(output)
  if (o.dryRun === 'client') {
    if (output !== '') return printTyped(obj, output)
    return `${qualifiedName(obj)} created${dryRunSuffix('client')}\n`
  }
  const client = await o.client()
  const apiVersion = obj.apiVersion ?? 'v1'
  const {resourceForDoc} = await import('./apply.js')
  const resource = await resourceForDoc(client, {source: '', object: obj})
  const ns = resource.namespaced ? ((obj.metadata?.namespace as string | undefined) ?? o.namespace) : undefined
  const created = await client.create(resource, ns, obj, {dryRun: o.dryRun === 'server', fieldManager: o.fieldManager ?? 'kubectl-create', fieldValidation: o.fieldValidation}).catch((err) => {
    // kubectl's generators report a failed create in their own words
    const prefix = o.generated === true ? CREATE_FAILURE[obj.kind ?? ''] : undefined
    if (prefix !== undefined) throw new KctlError(`${prefix}${(err as Error).message}`)
    throw err
  })
  if (output !== '') return formatObjects(parseOutput(output), [created], true)
  return `${qualifiedName({...created, apiVersion: created.apiVersion ?? apiVersion, kind: created.kind ?? obj.kind})} created${dryRunSuffix(o.dryRun)}\n`
}
