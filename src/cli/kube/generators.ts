// The objects `kctl create KIND NAME ...` makes, field for field as kubectl's generators make
// them, with keys in the Go types' order (what `-o json --dry-run=client` shows).
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import type {KubeObject} from '../../client/kube/client.js'
import {KctlError} from './errors.js'

function meta(name: string, namespace: string | undefined, labels?: Record<string, string>): Record<string, unknown> {
  const m: Record<string, unknown> = {name}
  if (namespace !== undefined) m['namespace'] = namespace
  m['creationTimestamp'] = null
  if (labels !== undefined) m['labels'] = labels
  return m
}

export function namespaceObject(name: string): KubeObject {
  return {kind: 'Namespace', apiVersion: 'v1', metadata: meta(name, undefined), spec: {}, status: {}}
}

export function serviceAccountObject(name: string, ns?: string): KubeObject {
  return {kind: 'ServiceAccount', apiVersion: 'v1', metadata: meta(name, ns)}
}

/** `--from-literal=k=v` and `--from-file=[key=]path` (a folder adds each regular file in it). */
export function dataFrom(literals: string[], files: string[], envFiles: string[] = []): Map<string, Buffer> {
  const data = new Map<string, Buffer>()
  const add = (k: string, v: Buffer) => {
    if (!/^[-._a-zA-Z0-9]+$/.test(k)) throw new KctlError(`"${k}" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`)
    if (data.has(k)) throw new KctlError(`cannot add key ${k}, another key by that name already exists in Data for ConfigMap ""`)
    data.set(k, v)
  }
  for (const lit of literals) {
    const eq = lit.indexOf('=')
    if (eq <= 0) throw new KctlError(`invalid literal source ${lit}, expected key=value`)
    add(lit.slice(0, eq), Buffer.from(lit.slice(eq + 1)))
  }
  for (const spec of files) {
    const eq = spec.indexOf('=')
    const key = eq < 0 ? undefined : spec.slice(0, eq)
    const path = eq < 0 ? spec : spec.slice(eq + 1)
    let st
    try {
      st = statSync(path)
    } catch {
      throw new KctlError(`error reading ${path}: no such file or directory`)
    }
    if (st.isDirectory()) {
      if (key !== undefined) throw new KctlError(`cannot give a key name for a directory path`)
      for (const f of readdirSync(path).sort()) {
        const p = join(path, f)
        if (statSync(p).isFile()) add(f, readFileSync(p))
      }
    } else add(key ?? basename(path), readFileSync(path))
  }
  for (const path of envFiles) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const t = line.trim()
      if (t === '' || t.startsWith('#')) continue
      const eq = t.indexOf('=')
      if (eq < 0) add(t, Buffer.from(process.env[t] ?? ''))
      else add(t.slice(0, eq), Buffer.from(t.slice(eq + 1)))
    }
  }
  return data
}

export function configMapObject(name: string, ns: string | undefined, data: Map<string, Buffer>): KubeObject {
  const o: KubeObject = {kind: 'ConfigMap', apiVersion: 'v1', metadata: meta(name, ns)}
  const text: Record<string, string> = {}
  const binary: Record<string, string> = {}
  for (const [k, v] of data) {
    const s = v.toString('utf8')
    if (Buffer.from(s, 'utf8').equals(v)) text[k] = s
    else binary[k] = v.toString('base64')
  }
  if (Object.keys(text).length > 0) o['data'] = text
  if (Object.keys(binary).length > 0) o['binaryData'] = binary
  return o
}

export function secretObject(name: string, ns: string | undefined, data: Map<string, Buffer>, type?: string): KubeObject {
  const o: KubeObject = {kind: 'Secret', apiVersion: 'v1', metadata: meta(name, ns)}
  if (data.size > 0) o['data'] = Object.fromEntries([...data].map(([k, v]) => [k, v.toString('base64')]))
  if (type !== undefined && type !== '') o['type'] = type
  return o
}

/** kubectl names a deployment's container after its image: `nginx:1.27` → `nginx`. */
function containerName(image: string): string {
  const noDigest = image.split('@')[0]!
  const last = noDigest.split('/').pop()!
  return last.split(':')[0]!
}

export function deploymentObject(name: string, ns: string | undefined, images: string[], replicas: number, port?: number, command: string[] = []): KubeObject {
  const labels = {app: name}
  const names = new Map<string, number>()
  const containers = images.map((image) => {
    let n = containerName(image)
    const seen = names.get(n) ?? 0
    names.set(n, seen + 1)
    if (seen > 0) n = `${n}-${seen}`
    const c: Record<string, unknown> = {name: n, image}
    if (command.length > 0) c['command'] = command
    if (port !== undefined && port >= 0) c['ports'] = [{containerPort: port}]
    c['resources'] = {}
    return c
  })
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: meta(name, ns, labels),
    spec: {
      replicas,
      selector: {matchLabels: labels},
      template: {metadata: {creationTimestamp: null, labels}, spec: {containers}},
      strategy: {},
    },
    status: {},
  }
}

export function serviceObject(name: string, ns: string | undefined, type: string, tcp: string[], clusterIP?: string): KubeObject {
  const ports = tcp.map((spec) => {
    const [portText, targetText] = spec.split(':')
    const port = Number(portText)
    if (!Number.isInteger(port)) throw new KctlError(`strconv.Atoi: parsing "${portText}": invalid syntax`)
    const target = targetText === undefined ? port : /^\d+$/.test(targetText) ? Number(targetText) : targetText
    return {name: `${portText}-${targetText ?? portText}`, protocol: 'TCP', port, targetPort: target}
  })
  const spec: Record<string, unknown> = {ports, selector: {app: name}}
  if (clusterIP !== undefined && clusterIP !== '') spec['clusterIP'] = clusterIP
  spec['type'] = type
  return {kind: 'Service', apiVersion: 'v1', metadata: meta(name, ns, {app: name}), spec, status: {loadBalancer: {}}}
}

export function jobObject(name: string, ns: string | undefined, image: string, command: string[]): KubeObject {
  const container: Record<string, unknown> = {name, image}
  if (command.length > 0) container['command'] = command
  container['resources'] = {}
  return {
    kind: 'Job',
    apiVersion: 'batch/v1',
    metadata: meta(name, ns),
    spec: {template: {metadata: {creationTimestamp: null}, spec: {containers: [container], restartPolicy: 'Never'}}},
    status: {},
  }
}

export function cronJobObject(name: string, ns: string | undefined, image: string, schedule: string, command: string[], restart = 'OnFailure'): KubeObject {
  const container: Record<string, unknown> = {name, image}
  if (command.length > 0) container['command'] = command
  container['resources'] = {}
  return {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    metadata: meta(name, ns),
    spec: {
      schedule,
      jobTemplate: {metadata: {name, creationTimestamp: null}, spec: {template: {metadata: {creationTimestamp: null}, spec: {containers: [container], restartPolicy: restart}}}},
    },
    status: {},
  }
}

export interface PolicyRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

export function roleObject(kind: 'Role' | 'ClusterRole', name: string, ns: string | undefined, rules: PolicyRule[]): KubeObject {
  return {kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: meta(name, kind === 'Role' ? ns : undefined), rules}
}

export function bindingObject(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  ns: string | undefined,
  roleKind: 'Role' | 'ClusterRole',
  roleName: string,
  users: string[],
  groups: string[],
  serviceAccounts: string[],
): KubeObject {
  const subjects: Record<string, unknown>[] = []
  for (const u of users) subjects.push({kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u})
  for (const g of groups) subjects.push({kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: g})
  for (const sa of serviceAccounts) {
    const colon = sa.indexOf(':')
    if (colon <= 0) throw new KctlError(`serviceaccount must be <namespace>:<name>`)
    subjects.push({kind: 'ServiceAccount', name: sa.slice(colon + 1), namespace: sa.slice(0, colon)})
  }
  const o: KubeObject = {kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: meta(name, kind === 'RoleBinding' ? ns : undefined)}
  if (subjects.length > 0) o['subjects'] = subjects
  o['roleRef'] = {apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName}
  return o
}
