// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), which
// kubectl's typed clients send (`kubectl create namespace|configmap|secret|deployment|...`,
// `kubectl auth can-i`): the "k8s\0" envelope around a runtime.Unknown, then the object by the
// field numbers of k8s.io/api's generated.proto. Decoded to the JSON form the server works in;
// zero values of non-pointer fields are dropped, as the JSON encoding omits them.
import {StatusError} from './status.js'

type Obj = Record<string, unknown>

/** A field: its JSON name and type; `?` after the type keeps a zero value (a pointer in Go). */
type Fields = Record<number, [name: string, type: string]>

const meta: Fields = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  10: ['deletionGracePeriodSeconds', 'int?'],
  11: ['labels', 'map'],
  12: ['annotations', 'map'],
  13: ['ownerReferences', '[]OwnerReference'],
  14: ['finalizers', '[]string'],
}

const messages: Record<string, Fields> = {
  Unknown: {1: ['typeMeta', 'TypeMeta'], 2: ['raw', 'bytes'], 3: ['contentEncoding', 'string'], 4: ['contentType', 'string']},
  TypeMeta: {1: ['apiVersion', 'string'], 2: ['kind', 'string']},
  ObjectMeta: meta,
  OwnerReference: {1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool?'], 7: ['blockOwnerDeletion', 'bool?']},
  LabelSelector: {1: ['matchLabels', 'map'], 2: ['matchExpressions', '[]LabelSelectorRequirement']},
  LabelSelectorRequirement: {1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', '[]string']},
  ObjectReference: {1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string']},
  LocalObjectReference: {1: ['name', 'string']},
  Namespace: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'NamespaceSpec']},
  NamespaceSpec: {1: ['finalizers', '[]string']},
  ConfigMap: {1: ['metadata', 'ObjectMeta'], 2: ['data', 'map'], 3: ['binaryData', 'map:bytes'], 4: ['immutable', 'bool?']},
  Secret: {1: ['metadata', 'ObjectMeta'], 2: ['data', 'map:bytes'], 3: ['type', 'string'], 4: ['stringData', 'map'], 5: ['immutable', 'bool?']},
  ServiceAccount: {1: ['metadata', 'ObjectMeta'], 2: ['secrets', '[]ObjectReference'], 3: ['imagePullSecrets', '[]LocalObjectReference'], 4: ['automountServiceAccountToken', 'bool?']},
  ResourceQuota: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ResourceQuotaSpec']},
  ResourceQuotaSpec: {1: ['hard', 'map:quantity'], 2: ['scopes', '[]string']},
  PodTemplateSpec: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec']},
  PodSpec: {
    2: ['containers', '[]Container'],
    3: ['restartPolicy', 'string'],
    4: ['terminationGracePeriodSeconds', 'int?'],
    5: ['activeDeadlineSeconds', 'int?'],
    6: ['dnsPolicy', 'string'],
    7: ['nodeSelector', 'map'],
    8: ['serviceAccountName', 'string'],
    9: ['serviceAccount', 'string'],
    10: ['nodeName', 'string'],
    11: ['hostNetwork', 'bool'],
    12: ['hostPID', 'bool'],
    13: ['hostIPC', 'bool'],
    15: ['imagePullSecrets', '[]LocalObjectReference'],
    16: ['hostname', 'string'],
    17: ['subdomain', 'string'],
    19: ['schedulerName', 'string'],
    20: ['initContainers', '[]Container'],
    21: ['automountServiceAccountToken', 'bool?'],
    24: ['priorityClassName', 'string'],
    25: ['priority', 'int?'],
    29: ['runtimeClassName', 'string?'],
    30: ['enableServiceLinks', 'bool?'],
    31: ['preemptionPolicy', 'string?'],
  },
  Container: {
    1: ['name', 'string'],
    2: ['image', 'string'],
    3: ['command', '[]string'],
    4: ['args', '[]string'],
    5: ['workingDir', 'string'],
    6: ['ports', '[]ContainerPort'],
    7: ['env', '[]EnvVar'],
    8: ['resources', 'ResourceRequirements!'],
    9: ['volumeMounts', '[]VolumeMount'],
    13: ['terminationMessagePath', 'string'],
    14: ['imagePullPolicy', 'string'],
    16: ['stdin', 'bool'],
    17: ['stdinOnce', 'bool'],
    18: ['tty', 'bool'],
    20: ['terminationMessagePolicy', 'string'],
    24: ['restartPolicy', 'string?'],
  },
  ContainerPort: {1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string']},
  EnvVar: {1: ['name', 'string'], 2: ['value', 'string']},
  ResourceRequirements: {1: ['limits', 'map:quantity'], 2: ['requests', 'map:quantity']},
  VolumeMount: {1: ['name', 'string'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string'], 4: ['subPath', 'string'], 6: ['subPathExpr', 'string']},
  Service: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ServiceSpec']},
  ServiceSpec: {
    1: ['ports', '[]ServicePort'],
    2: ['selector', 'map'],
    3: ['clusterIP', 'string'],
    4: ['type', 'string'],
    5: ['externalIPs', '[]string'],
    7: ['sessionAffinity', 'string'],
    8: ['loadBalancerIP', 'string'],
    10: ['externalName', 'string'],
    11: ['externalTrafficPolicy', 'string'],
    18: ['clusterIPs', '[]string'],
  },
  ServicePort: {1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intstr'], 5: ['nodePort', 'int'], 6: ['appProtocol', 'string?']},
  Deployment: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DeploymentSpec']},
  DeploymentSpec: {1: ['replicas', 'int?'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'], 4: ['strategy', 'DeploymentStrategy'], 5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int?'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int?']},
  DeploymentStrategy: {1: ['type', 'string'], 2: ['rollingUpdate', 'RollingUpdateDeployment']},
  RollingUpdateDeployment: {1: ['maxUnavailable', 'intstr'], 2: ['maxSurge', 'intstr']},
  Job: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec']},
  JobSpec: {
    1: ['parallelism', 'int?'],
    2: ['completions', 'int?'],
    3: ['activeDeadlineSeconds', 'int?'],
    4: ['selector', 'LabelSelector'],
    5: ['manualSelector', 'bool?'],
    6: ['template', 'PodTemplateSpec'],
    7: ['backoffLimit', 'int?'],
    8: ['ttlSecondsAfterFinished', 'int?'],
    9: ['completionMode', 'string?'],
    10: ['suspend', 'bool?'],
  },
  CronJob: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'CronJobSpec']},
  CronJobSpec: {1: ['schedule', 'string'], 2: ['startingDeadlineSeconds', 'int?'], 3: ['concurrencyPolicy', 'string'], 4: ['suspend', 'bool?'], 5: ['jobTemplate', 'JobTemplateSpec'], 6: ['successfulJobsHistoryLimit', 'int?'], 7: ['failedJobsHistoryLimit', 'int?'], 8: ['timeZone', 'string?']},
  JobTemplateSpec: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec']},
  PodDisruptionBudget: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodDisruptionBudgetSpec']},
  PodDisruptionBudgetSpec: {1: ['minAvailable', 'intstr'], 2: ['selector', 'LabelSelector'], 3: ['maxUnavailable', 'intstr'], 4: ['unhealthyPodEvictionPolicy', 'string?']},
  Role: {1: ['metadata', 'ObjectMeta'], 2: ['rules', '[]PolicyRule']},
  ClusterRole: {1: ['metadata', 'ObjectMeta'], 2: ['rules', '[]PolicyRule'], 3: ['aggregationRule', 'AggregationRule']},
  AggregationRule: {1: ['clusterRoleSelectors', '[]LabelSelector']},
  PolicyRule: {1: ['verbs', '[]string'], 2: ['apiGroups', '[]string'], 3: ['resources', '[]string'], 4: ['resourceNames', '[]string'], 5: ['nonResourceURLs', '[]string']},
  RoleBinding: {1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[]Subject'], 3: ['roleRef', 'RoleRef']},
  ClusterRoleBinding: {1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[]Subject'], 3: ['roleRef', 'RoleRef']},
  Subject: {1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string']},
  RoleRef: {1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string']},
  SelfSubjectAccessReview: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SelfSubjectAccessReviewSpec']},
  SelfSubjectAccessReviewSpec: {1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes']},
  SubjectAccessReview: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SubjectAccessReviewSpec']},
  SubjectAccessReviewSpec: {1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'], 3: ['user', 'string'], 4: ['groups', '[]string'], 6: ['uid', 'string']},
  ResourceAttributes: {1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string']},
  NonResourceAttributes: {1: ['path', 'string'], 2: ['verb', 'string']},
  SelfSubjectReview: {1: ['metadata', 'ObjectMeta']},
  TokenRequest: {1: ['metadata', 'ObjectMeta'], 2: ['spec', 'TokenRequestSpec']},
  TokenRequestSpec: {1: ['audiences', '[]string'], 3: ['boundObjectRef', 'BoundObjectReference'], 4: ['expirationSeconds', 'int?']},
  BoundObjectReference: {1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string']},
  Eviction: {1: ['metadata', 'ObjectMeta'], 2: ['deleteOptions', 'DeleteOptions']},
  DeleteOptions: {1: ['gracePeriodSeconds', 'int?'], 4: ['propagationPolicy', 'string?'], 5: ['dryRun', '[]string']},
}

class Reader {
  pos = 0
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length
  }
  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint')
      const b = this.buf[this.pos++]
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
      shift += 7n
      if (shift > 70n) throw new Error('varint too long')
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint())
    if (this.pos + len > this.buf.length) throw new Error('truncated field')
    const out = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return out
  }
  skip(wire: number): void {
    if (wire === 0) this.varint()
    else if (wire === 1) this.pos += 8
    else if (wire === 2) this.bytes()
    else if (wire === 5) this.pos += 4
    else throw new Error(`unsupported wire type ${wire}`)
  }
}

const signed = (v: bigint) => Number(BigInt.asIntN(64, v))

function decodeTime(buf: Buffer): string | undefined {
  const r = new Reader(buf)
  let seconds = 0
  while (!r.done) {
    const tag = Number(r.varint())
    if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = signed(r.varint())
    else r.skip(tag & 7)
  }
  return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

function decodeIntOrString(buf: Buffer): number | string {
  const r = new Reader(buf)
  let type = 0
  let intVal = 0
  let strVal = ''
  while (!r.done) {
    const tag = Number(r.varint())
    const field = tag >>> 3
    if (field === 1) type = signed(r.varint())
    else if (field === 2) intVal = signed(r.varint())
    else if (field === 3) strVal = r.bytes().toString('utf8')
    else r.skip(tag & 7)
  }
  return type === 1 ? strVal : intVal
}

function decodeQuantity(buf: Buffer): string {
  const r = new Reader(buf)
  let s = ''
  while (!r.done) {
    const tag = Number(r.varint())
    if (tag >>> 3 === 1) s = r.bytes().toString('utf8')
    else r.skip(tag & 7)
  }
  return s
}

function decodeMapEntry(buf: Buffer, valueType: string): [string, unknown] {
  const r = new Reader(buf)
  let key = ''
  let value: unknown = valueType === 'bytes' ? '' : ''
  while (!r.done) {
    const tag = Number(r.varint())
    const field = tag >>> 3
    if (field === 1) key = r.bytes().toString('utf8')
    else if (field === 2) {
      const raw = r.bytes()
      value = valueType === 'bytes' ? raw.toString('base64') : valueType === 'quantity' ? decodeQuantity(raw) : raw.toString('utf8')
    } else r.skip(tag & 7)
  }
  return [key, value]
}

function decodeMessage(name: string, buf: Buffer): Obj {
  const fields = name === 'ObjectMeta' ? meta : messages[name]
  if (!fields) throw new Error(`no protobuf schema for ${name}`)
  const r = new Reader(buf)
  const out: Obj = {}
  while (!r.done) {
    const tag = Number(r.varint())
    const number = tag >>> 3
    const wire = tag & 7
    const field = fields[number]
    if (name === 'ObjectMeta' && (number === 8 || number === 9) && wire === 2) {
      const t = decodeTime(r.bytes())
      if (t) out[number === 8 ? 'creationTimestamp' : 'deletionTimestamp'] = t
      continue
    }
    if (!field) {
      r.skip(wire)
      continue
    }
    const [key, rawType] = field
    const pointer = rawType.endsWith('?')
    const keepEmpty = rawType.endsWith('!')
    const type = rawType.replace(/[?!]$/, '')
    if (type.startsWith('[]')) {
      const element = type.slice(2)
      const list = (out[key] as unknown[] | undefined) ?? []
      if (element === 'string') list.push(r.bytes().toString('utf8'))
      else list.push(decodeMessage(element, r.bytes()))
      out[key] = list
    } else if (type === 'map' || type.startsWith('map:')) {
      const [k, v] = decodeMapEntry(r.bytes(), type === 'map' ? 'string' : type.slice(4))
      out[key] = {...((out[key] as Obj | undefined) ?? {}), [k]: v}
    } else if (type === 'string') {
      const s = r.bytes().toString('utf8')
      if (s !== '' || pointer) out[key] = s
    } else if (type === 'bytes') {
      out[key] = r.bytes()
    } else if (type === 'int') {
      const n = signed(r.varint())
      if (n !== 0 || pointer) out[key] = n
    } else if (type === 'bool') {
      const b = r.varint() !== 0n
      if (b || pointer) out[key] = b
    } else if (type === 'intstr') {
      out[key] = decodeIntOrString(r.bytes())
    } else {
      const sub = decodeMessage(type, r.bytes())
      if (Object.keys(sub).length > 0 || keepEmpty) out[key] = sub
    }
  }
  return out
}

export const protobufMediaType = 'application/vnd.kubernetes.protobuf'
const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00])

/** Decodes a protobuf request body into the object's JSON form (apiVersion and kind set). */
export function decodeProtobufObject(body: Uint8Array): Obj {
  const buf = Buffer.from(body)
  if (buf.length < 4 || !buf.subarray(0, 4).equals(magic)) throw new StatusError(400, 'BadRequest', 'provided protobuf body has no Kubernetes envelope')
  try {
    const unknown = decodeMessage('Unknown', buf.subarray(4))
    const typeMeta = (unknown.typeMeta ?? {}) as {apiVersion?: string; kind?: string}
    const kind = typeMeta.kind ?? ''
    if (!messages[kind]) {
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is not accepted for ${kind || 'this kind'})`)
    }
    const obj = decodeMessage(kind, (unknown.raw as Buffer | undefined) ?? Buffer.alloc(0))
    return {apiVersion: typeMeta.apiVersion, kind, ...obj}
  } catch (error) {
    if (error instanceof StatusError) throw error
    throw new StatusError(400, 'BadRequest', `unable to decode protobuf body: ${(error as Error).message}`)
  }
}
