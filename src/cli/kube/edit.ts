// `kctl edit`: the object as YAML in $KUBE_EDITOR (or $EDITOR, or vi) under kubectl's comment
// header; the saved text is sent as a patch from the original (strategic for built-in kinds,
// JSON merge for others). A failure reopens the file with the errors on top; quitting without
// a change keeps the edit in a temp file and fails, as kubectl does.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {KubeClient, KubeObject} from '../../client/kube/client.js'
import {isBuiltin} from './apply.js'
import {KctlError} from './errors.js'
import {goJson} from './gojson.js'
import {withoutManagedFields} from './output.js'
import {deepEqual, twoWayPatch} from './merge-patch.js'
import {targetName, type Target} from './targets.js'
import {parseYaml, toYaml} from './yaml.js'

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`

export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env['KUBE_EDITOR'] || env['EDITOR'] || 'vi'
}

function runEditor(editor: string, file: string): void {
  const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', file], {stdio: 'inherit'})
  if (r.error !== undefined) throw new KctlError(`there was a problem with the editor "${editor}": ${r.error.message}`)
  if (r.status !== 0) throw new KctlError(`there was a problem with the editor "${editor}"`)
}

function strip(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
}

export async function runEdit(
  client: KubeClient,
  targets: Target[],
  o: {output: 'yaml' | 'json'; write: (s: string) => void; env: NodeJS.ProcessEnv},
): Promise<void> {
  const editor = editorCommand(o.env)
  const dir = mkdtempSync(join(tmpdir(), 'kctl-edit-'))
  try {
    for (const t of targets) {
      // kubectl edits the object without its managed fields (--show-managed-fields=false)
      const original = withoutManagedFields(await client.get(t.resource, t.namespace, t.name))
      const render = (obj: KubeObject) => (o.output === 'json' ? goJson(obj) + '\n' : toYaml(obj))
      const file = join(dir, `${t.resource.name}-${t.name}.${o.output}`)
      let body = render(original)
      let errors: string[] = []
      let previous: string | undefined
      while (true) {
        const notes = errors.length === 0 ? '' : errors.map((e) => `# ${e}\n`).join('') + '#\n'
        writeFileSync(file, HEADER + notes + body)
        runEditor(editor, file)
        const text = readFileSync(file, 'utf8')
        const content = strip(text)
        if (content.trim() === '') {
          process.stderr.write('Edit cancelled, saved file was empty.\n')
          return
        }
        if (previous !== undefined && content === previous) {
          const kept = join(tmpdir(), `kctl-edit-${Date.now()}.${o.output}`)
          writeFileSync(kept, text)
          throw new KctlError('Edit cancelled, no valid changes were saved.', `A copy of your changes has been stored to "${kept}"\nerror: Edit cancelled, no valid changes were saved.\n`)
        }
        let edited: KubeObject
        try {
          edited = parseYaml(content) as KubeObject
        } catch (err) {
          errors = [`The edited file had a syntax error: ${(err as Error).message.split('\n')[0]}`]
          previous = content
          body = content
          continue
        }
        if (deepEqual(edited, original)) {
          process.stderr.write('Edit cancelled, no changes made.\n')
          break
        }
        if (edited.kind !== original.kind || edited.apiVersion !== original.apiVersion || edited.metadata?.name !== original.metadata?.name) {
          // not a retry: kubectl keeps the file and stops
          const kept = join(tmpdir(), `kctl-edit-${Date.now()}.${o.output}`)
          writeFileSync(kept, text)
          const message = 'At least one of apiVersion, kind and name was changed'
          throw new KctlError(message, `A copy of your changes has been stored to "${kept}"\nerror: ${message}\n`)
        }
        const patch = twoWayPatch(original as Record<string, unknown>, edited as Record<string, unknown>, {strategic: isBuiltin(t.resource)})
        try {
          await client.patch(t.resource, t.namespace, t.name, isBuiltin(t.resource) ? 'strategic' : 'merge', patch, {fieldManager: 'kubectl-edit'})
          o.write(`${targetName(t)} edited\n`)
          break
        } catch (err) {
          errors = [`${(err as Error).message}`]
          previous = content
          body = content
        }
      }
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
