// Per-kind validation: the checks kube-apiserver makes on the kinds we serve, worded as its own.
import {matchesSelector, parseLabelSelectorObject} from './selectors.js'
import type {FieldError} from './status.js'
import {isConfigMapKey, isDNS1123Label, validateLabels, type NameRule} from './validation.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const dns1035Fmt = '[a-z]([-a-z0-9]*[a-z0-9])?'
const dns1035 = new RegExp(`^${dns1035Fmt}$`)

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > 63) errs.push('must be no more than 63 characters')
  if (!dns1035.test(value)) {
    errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035Fmt}')`)
  }
  return errs
}

/** Which rule a kind's names follow (most: DNS-1123 subdomains). */
export function nameRuleOf(kind: string): NameRule | 'dns1035' {
  if (kind === 'Namespace') return 'label'
  if (kind === 'Service') return 'dns1035'
  if (['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(kind)) return 'path-segment'
  return 'subdomain'
}

const invalid = (field: string, value: unknown, detail: string): FieldError => ({type: 'FieldValueInvalid', field, value, detail})
const required = (field: string, detail = ''): FieldError => ({type: 'FieldValueRequired', field, detail})
const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
})

function validateContainers(list: unknown, field: string, requiredList: boolean, names: Set<string>): FieldError[] {
  const errs: FieldError[] = []
  if (!Array.isArray(list) || list.length === 0) {
    if (requiredList) errs.push(required(field))
    return errs
  }
  list.forEach((c, i) => {
    const f = `${field}[${i}]`
    if (!isObj(c)) return void errs.push(invalid(f, c, 'must be an object'))
    if (typeof c.name !== 'string' || c.name === '') errs.push(required(`${f}.name`))
    else {
      for (const e of isDNS1123Label(c.name)) errs.push(invalid(`${f}.name`, c.name, e))
      if (names.has(c.name)) errs.push({type: 'FieldValueDuplicate', field: `${f}.name`, value: c.name, detail: ''})
      names.add(c.name)
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') errs.push(required(`${f}.image`))
    if (c.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(String(c.imagePullPolicy))) {
      errs.push(notSupported(`${f}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']))
    }
    if (Array.isArray(c.ports)) {
      c.ports.forEach((p, j) => {
        const port = isObj(p) ? p.containerPort : undefined
        if (typeof port !== 'number' || port < 1 || port > 65535) {
          errs.push(invalid(`${f}.ports[${j}].containerPort`, port ?? 0, 'must be between 1 and 65535, inclusive'))
        }
      })
    }
  })
  return errs
}

export function validatePodSpec(spec: unknown, field: string, allowedRestart?: string[]): FieldError[] {
  if (!isObj(spec)) return [required(field)]
  const names = new Set<string>()
  const errs = [
    ...validateContainers(spec.containers, `${field}.containers`, true, names),
    ...validateContainers(spec.initContainers, `${field}.initContainers`, false, names),
  ]
  const restart = allowedRestart ?? ['Always', 'OnFailure', 'Never']
  if (!restart.includes(String(spec.restartPolicy))) errs.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, restart))
  if (spec.dnsPolicy !== undefined && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(String(spec.dnsPolicy))) {
    errs.push(notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']))
  }
  const volumes = new Set<string>()
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      const name = isObj(v) ? v.name : undefined
      if (typeof name !== 'string' || !name) return void errs.push(required(`${field}.volumes[${i}].name`))
      for (const e of isDNS1123Label(name)) errs.push(invalid(`${field}.volumes[${i}].name`, name, e))
      if (volumes.has(name)) errs.push({type: 'FieldValueDuplicate', field: `${field}.volumes[${i}].name`, value: name, detail: ''})
      volumes.add(name)
    })
  }
  return errs
}

/** A workload's selector must be given and match its template's labels. */
function validateSelectorTemplate(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = []
  const selector = spec.selector
  if (!isObj(selector) || (!isObj(selector.matchLabels) && !Array.isArray(selector.matchExpressions))) {
    errs.push(required(`${field}.selector`))
    return errs
  }
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && ((selector.matchExpressions as unknown[]) ?? []).length === 0) {
    errs.push(invalid(`${field}.selector`, selector, 'empty selector is invalid for deployment'))
  }
  errs.push(...validateLabels(selector.matchLabels, `${field}.selector.matchLabels`))
  const template = isObj(spec.template) ? spec.template : {}
  const labels = (isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : {}) as Record<string, string>
  try {
    if (!matchesSelector(parseLabelSelectorObject(selector), labels)) {
      errs.push(invalid(`${field}.template.metadata.labels`, labels, '`selector` does not match template `labels`'))
    }
  } catch (error) {
    errs.push(invalid(`${field}.selector`, selector, (error as Error).message))
  }
  return errs
}

function validateReplicas(spec: Obj, field: string): FieldError[] {
  const r = spec.replicas
  if (r === undefined) return []
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 0) return [invalid(`${field}.replicas`, r, 'must be greater than or equal to 0')]
  return []
}

type Validator = (obj: Obj) => FieldError[]

const validators: Record<string, Validator> = {
  Pod: (o) => validatePodSpec(o.spec, 'spec'),
  Deployment(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const template = isObj(spec.template) ? spec.template : {}
    return [...validateReplicas(spec, 'spec'), ...validateSelectorTemplate(spec, 'spec'), ...validatePodSpec(template.spec, 'spec.template.spec', ['Always'])]
  },
  ReplicaSet(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const template = isObj(spec.template) ? spec.template : {}
    return [...validateReplicas(spec, 'spec'), ...validateSelectorTemplate(spec, 'spec'), ...validatePodSpec(template.spec, 'spec.template.spec', ['Always'])]
  },
  StatefulSet(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const template = isObj(spec.template) ? spec.template : {}
    return [...validateReplicas(spec, 'spec'), ...validateSelectorTemplate(spec, 'spec'), ...validatePodSpec(template.spec, 'spec.template.spec', ['Always'])]
  },
  DaemonSet(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const template = isObj(spec.template) ? spec.template : {}
    return [...validateSelectorTemplate(spec, 'spec'), ...validatePodSpec(template.spec, 'spec.template.spec', ['Always'])]
  },
  Job(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const template = isObj(spec.template) ? spec.template : {}
    return validatePodSpec(template.spec, 'spec.template.spec', ['OnFailure', 'Never'])
  },
  CronJob(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const errs: FieldError[] = []
    if (typeof spec.schedule !== 'string' || !spec.schedule) errs.push(required('spec.schedule'))
    else if (spec.schedule.trim().split(/\s+/).length !== 5 && !spec.schedule.startsWith('@')) {
      errs.push(invalid('spec.schedule', spec.schedule, `expected exactly 5 fields, found ${spec.schedule.trim().split(/\s+/).length}: ${spec.schedule}`))
    }
    const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {}
    const jspec = isObj(jt.spec) ? jt.spec : {}
    const template = isObj(jspec.template) ? jspec.template : {}
    return [...errs, ...validatePodSpec(template.spec, 'spec.jobTemplate.spec.template.spec', ['OnFailure', 'Never'])]
  },
  Service(o) {
    const spec = isObj(o.spec) ? o.spec : {}
    const errs: FieldError[] = []
    const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']
    if (!types.includes(String(spec.type))) errs.push(notSupported('spec.type', spec.type, types))
    if (spec.type === 'ExternalName') {
      if (!spec.externalName) errs.push(required('spec.externalName'))
    } else if (spec.clusterIP !== 'None' && (!Array.isArray(spec.ports) || spec.ports.length === 0)) errs.push(required('spec.ports'))
    const names = new Set<string>()
    if (Array.isArray(spec.ports)) {
      spec.ports.forEach((p, i) => {
        const f = `spec.ports[${i}]`
        if (!isObj(p)) return
        if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) errs.push(invalid(`${f}.port`, p.port ?? 0, 'must be between 1 and 65535, inclusive'))
        if ((spec.ports as unknown[]).length > 1 && !p.name) errs.push(required(`${f}.name`))
        if (typeof p.name === 'string' && p.name) {
          if (names.has(p.name)) errs.push({type: 'FieldValueDuplicate', field: `${f}.name`, value: p.name, detail: ''})
          names.add(p.name)
        }
        if (!['TCP', 'UDP', 'SCTP'].includes(String(p.protocol))) errs.push(notSupported(`${f}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']))
      })
    }
    errs.push(...validateLabels(spec.selector, 'spec.selector'))
    return errs
  },
  ConfigMap(o) {
    const errs: FieldError[] = []
    const seen = new Set<string>()
    for (const field of ['data', 'binaryData']) {
      const data = o[field]
      if (data === undefined || data === null) continue
      if (!isObj(data)) {
        errs.push(invalid(field, data, 'must be a map'))
        continue
      }
      for (const key of Object.keys(data)) {
        for (const e of isConfigMapKey(key)) errs.push(invalid(field, key, e))
        if (seen.has(key)) errs.push(invalid(field, key, 'duplicate of key present in data'))
        seen.add(key)
      }
    }
    return errs
  },
  Secret(o) {
    const errs: FieldError[] = []
    if (isObj(o.data)) {
      for (const [key, value] of Object.entries(o.data)) {
        for (const e of isConfigMapKey(key)) errs.push(invalid('data', key, e))
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) errs.push(invalid(`data[${key}]`, '<secret contents redacted>', 'must be base64-encoded'))
      }
    }
    return errs
  },
}

/** The kind's own checks (metadata is checked separately, by validateObjectMeta). */
export function validateKind(kind: string, obj: Obj): FieldError[] {
  return validators[kind]?.(obj) ?? []
}
