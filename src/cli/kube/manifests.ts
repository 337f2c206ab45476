// Reading manifests as kubectl's -f does: files, folders (-R for subfolders; .json, .yaml,
// .yml), `-` for stdin, http(s) URLs; YAML streams split into documents, JSON or YAML `List`s
// expanded into their items. A document that cannot be read becomes an error naming its
// source, and the others still go through.
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {extname, join} from 'node:path'
import type {KubeObject} from '../../client/kube/client.js'
import {KctlError} from './errors.js'
import {parseYamlDocuments, YamlSyntaxError} from './yaml.js'

export interface ManifestDoc {
  source: string
  object: KubeObject
}

export interface ManifestError {
  source: string
  message: string
}

/** The largest manifest source read, in bytes. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024

const MANIFEST_EXTENSIONS = new Set(['.json', '.yaml', '.yml'])

function listDir(dir: string, recursive: boolean): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    const st = statSync(p)
    if (st.isDirectory()) {
      if (recursive) out.push(...listDir(p, recursive))
    } else if (MANIFEST_EXTENSIONS.has(extname(name))) out.push(p)
  }
  return out
}

async function readUrl(url: string): Promise<string> {
  const res = await fetch(url, {signal: AbortSignal.timeout(30_000)})
  if (res.status !== 200) throw new KctlError(`unable to read URL "${url}", server reported ${res.status} ${res.statusText}, status code=${res.status}`)
  const text = await res.text()
  if (text.length > MAX_SOURCE_BYTES) throw new KctlError(`${url}: larger than ${MAX_SOURCE_BYTES} bytes`)
  return text
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of process.stdin) {
    size += (c as Buffer).length
    if (size > MAX_SOURCE_BYTES) throw new KctlError(`stdin: larger than ${MAX_SOURCE_BYTES} bytes`)
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Every source text named by -f, in order. */
export async function readSources(filenames: string[], recursive: boolean): Promise<{source: string; text: string}[]> {
  if (filenames.length === 0) throw new KctlError('must specify one of -f and -k')
  const out: {source: string; text: string}[] = []
  for (const f of filenames) {
    if (f === '-') {
      out.push({source: 'STDIN', text: await readStdin()})
      continue
    }
    if (/^https?:\/\//.test(f)) {
      out.push({source: f, text: await readUrl(f)})
      continue
    }
    let st
    try {
      st = statSync(f)
    } catch {
      throw new KctlError(`the path "${f}" does not exist`)
    }
    if (st.isDirectory()) {
      for (const p of listDir(f, recursive)) out.push({source: p, text: readFileSync(p, 'utf8')})
    } else {
      if (st.size > MAX_SOURCE_BYTES) throw new KctlError(`${f}: larger than ${MAX_SOURCE_BYTES} bytes`)
      out.push({source: f, text: readFileSync(f, 'utf8')})
    }
  }
  return out
}

function isList(o: KubeObject): boolean {
  return typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o['items'])
}

/** Documents of one source; a YAML error fails the whole source (as kubectl's decoder does). */
export function parseSource(source: string, text: string): {docs: ManifestDoc[]; errors: ManifestError[]} {
  const docs: ManifestDoc[] = []
  const errors: ManifestError[] = []
  let values: unknown[]
  try {
    values = parseYamlDocuments(text)
  } catch (err) {
    const detail = err instanceof YamlSyntaxError ? err.message : (err as Error).message
    return {docs, errors: [{source, message: `error parsing ${source}: error converting YAML to JSON: ${detail}`}]}
  }
  const add = (v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      errors.push({source, message: `error validating "${source}": error validating data: invalid object to validate`})
      return
    }
    const o = v as KubeObject
    if (isList(o)) {
      for (const item of o['items'] as unknown[]) add(item)
      return
    }
    const missing: string[] = []
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '') missing.push('apiVersion not set')
    if (typeof o.kind !== 'string' || o.kind === '') missing.push('kind not set')
    if (missing.length > 0) {
      errors.push({
        source,
        message: `error validating "${source}": error validating data: ${missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`}; if you choose to ignore these errors, turn validation off with --validate=false`,
      })
      return
    }
    docs.push({source, object: o})
  }
  values.forEach(add)
  return {docs, errors}
}
