// kubectl's -o formats for objects: json, yaml, name, jsonpath (and -file, -as-json),
// custom-columns (and -file). The human table lives in table.ts.
import {readFileSync} from 'node:fs'
import type {KubeObject} from '../../client/kube/client.js'
import {customColumnsHeader, customColumnsRow, parseCustomColumns, parseCustomColumnsFile, type Column} from './custom-columns.js'
import {goFileError} from '../zap-log.js'
import {KctlError} from './errors.js'
import {goJson} from './gojson.js'
import {executeGoTemplate, parseGoTemplate, type GoTemplate} from './gotemplate.js'
import {executeJsonPath, parseJsonPath, JsonPathError, executeJsonPathValues, jsonPathFailure} from './jsonpath.js'
import {tabulate} from './tabwriter.js'
import {toYaml} from './yaml.js'

export type OutputKind = 'table' | 'wide' | 'json' | 'yaml' | 'name' | 'jsonpath' | 'jsonpath-as-json' | 'custom-columns' | 'go-template'

export interface OutputFormat {
  kind: OutputKind
  jsonpath?: ReturnType<typeof parseJsonPath>
  jsonpathSource?: string
  /** --allow-missing-template-keys for jsonpath (go templates carry theirs) */
  allowMissingKeys?: boolean
  columns?: Column[]
  goTemplate?: GoTemplate
}

/** --template (the template when -o names only the format) and --allow-missing-template-keys. */
export interface TemplateFlags {
  template?: string
  allowMissingKeys?: boolean
}

const ALLOWED = 'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml'

export function parseOutput(raw: string | undefined, flags: TemplateFlags = {}): OutputFormat {
  if (raw === undefined || raw === '') return {kind: 'table'}
  const eq = raw.indexOf('=')
  const name = eq < 0 ? raw : raw.slice(0, eq)
  const arg = eq < 0 ? (flags.template ?? '') : raw.slice(eq + 1)
  switch (name) {
    case 'wide':
    case 'json':
    case 'yaml':
    case 'name':
      if (eq < 0) return {kind: name}
      break
    case 'jsonpath':
    case 'jsonpath-file':
    case 'jsonpath-as-json': {
      const source = name === 'jsonpath-file' ? readTemplateFile(arg) : arg
      if (source === '') throw new KctlError('template format specified but no template given')
      try {
        return {kind: name === 'jsonpath-as-json' ? 'jsonpath-as-json' : 'jsonpath', jsonpath: parseJsonPath(source), jsonpathSource: source, allowMissingKeys: flags.allowMissingKeys ?? true}
      } catch (err) {
        throw new KctlError(`error parsing jsonpath ${source}, ${(err as Error).message}`)
      }
    }
    case 'go-template':
    case 'go-template-file':
    case 'template':
    case 'templatefile': {
      const source = name.endsWith('file') ? (arg === '' ? '' : readTemplateFile(arg)) : arg
      if (source === '') throw new KctlError('template format specified but no template given')
      return {kind: 'go-template', goTemplate: parseGoTemplate(source, flags.allowMissingKeys ?? true)}
    }
    case 'custom-columns':
    case 'custom-columns-file':
      try {
        return {kind: 'custom-columns', columns: name === 'custom-columns' ? parseCustomColumns(arg) : parseCustomColumnsFile(readTemplateFile(arg))}
      } catch (err) {
        throw new KctlError((err as Error).message)
      }
  }
  throw new KctlError(`unable to match a printer suitable for the output format "${raw}", allowed formats are: ${ALLOWED}`)
}

function readTemplateFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new KctlError(`error reading --template ${path}, ${goFileError('open', path, err)}`)
  }
}

/** `pod/web`, `deployment.apps/web`: the -o name form. */
export function qualifiedName(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? ''
  const slash = apiVersion.indexOf('/')
  const group = slash < 0 ? '' : apiVersion.slice(0, slash)
  const kind = (obj.kind ?? '').toLowerCase()
  return `${kind}${group === '' ? '' : `.${group}`}/${obj.metadata?.name ?? ''}`
}

export function asList(items: KubeObject[]): KubeObject {
  return {apiVersion: 'v1', items, kind: 'List', metadata: {resourceVersion: ''}}
}

/** The object without metadata.managedFields (a copy when it has them). */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj
  const {managedFields: _m, ...metadata} = obj.metadata
  return {...obj, metadata}
}

/**
 * Prints objects in a non-table format. `single` prints the one object itself (a named get of
 * one object); otherwise a List.
 */
export function formatObjects(format: OutputFormat, shown: KubeObject[], single: boolean, noHeaders = false, showManagedFields = false): string {
  // kubectl prints json and yaml without managed fields unless --show-managed-fields;
  // templates and columns always see them
  const items = (format.kind === 'json' || format.kind === 'yaml') && !showManagedFields ? shown.map(withoutManagedFields) : shown
  const subject = single && items.length === 1 ? items[0]! : asList(items)
  switch (format.kind) {
    case 'json':
      return goJson(subject) + '\n'
    case 'yaml':
      return toYaml(subject)
    case 'name':
      return items.map((o) => qualifiedName(o) + '\n').join('')
    case 'jsonpath':
    case 'jsonpath-as-json':
      try {
        if (format.kind === 'jsonpath-as-json') return goJson(executeJsonPathValues(format.jsonpath!, subject, {allowMissingKeys: format.allowMissingKeys ?? true})) + '\n'
        return executeJsonPath(format.jsonpath!, subject, {allowMissingKeys: format.allowMissingKeys ?? true})
      } catch (err) {
        if (err instanceof JsonPathError) {
          const text = jsonPathFailure(format.jsonpathSource ?? '', err, subject)
          throw new KctlError(text.trimEnd(), `error: ${text}`)
        }
        throw err
      }
    case 'go-template':
      return executeGoTemplate(format.goTemplate!, subject)
    case 'custom-columns':
      return tabulate((noHeaders ? '' : customColumnsHeader(format.columns!)) + items.map((o) => customColumnsRow(format.columns!, o)).join(''))
    default:
      throw new KctlError(`output format ${format.kind} is not an object format`)
  }
}
