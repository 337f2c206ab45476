// Writes one man page (roff) per command, man/<cli>-<command>.1, from each CLI's oclif
// manifest (cli/<cli>/oclif.manifest.json, written by `npm run build`): name, synopsis,
// description, flags (own, then global) and examples. No dates or build paths go in, so the
// pages only change when the commands do.
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const manDir = join(root, 'man')

/** Text safe in roff: backslashes and dashes escaped, no line starting with a control char. */
function roff(text) {
  return String(text)
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .split('\n')
    .map((line) => (line.startsWith('.') || line.startsWith("'") ? `\\&${line}` : line))
    .join('\n')
}

const render = (text, bin) => String(text ?? '').replaceAll('<%= config.bin %>', bin)

function flagLabel(name, flag) {
  const long = `\\-\\-${roff(name)}`
  const value = flag.type === 'option' ? `=${roff(flag.helpValue ?? '<value>')}` : ''
  return flag.char ? `\\fB\\-${roff(flag.char)}\\fR, \\fB${long}\\fR${value}` : `\\fB${long}\\fR${value}`
}

function flagSection(title, flags) {
  if (flags.length === 0) return []
  const out = [`.SH ${title}`]
  for (const [name, flag] of flags) {
    out.push('.TP', flagLabel(name, flag))
    const notes = []
    if (flag.default !== undefined && flag.default !== '' && flag.default !== false) notes.push(`default: ${flag.default}`)
    if (flag.env) notes.push(`env: ${flag.env}`)
    if (flag.options) notes.push(`one of: ${flag.options.join(', ')}`)
    out.push(roff(`${flag.description ?? ''}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`))
  }
  return out
}

function examplesSection(examples, bin) {
  if (!examples || examples.length === 0) return []
  const out = ['.SH EXAMPLES']
  for (const example of examples) {
    const {command, description} = typeof example === 'string' ? {command: example} : example
    if (description) out.push('.PP', roff(render(description, bin)))
    out.push('.PP', '.RS 4', '.nf', roff(`$ ${render(command, bin)}`), '.fi', '.RE')
  }
  return out
}

function page(bin, version, id, cmd) {
  const fileStem = `${bin}-${id.replaceAll(/[: ]/g, '-')}`
  const summary = cmd.summary ?? (cmd.description ?? '').split('\n')[0]
  const usage = Array.isArray(cmd.usage) ? cmd.usage : cmd.usage ? [cmd.usage] : [`${id} [flags]`]
  const flags = Object.entries(cmd.flags ?? {}).filter(([, f]) => !f.hidden)
  const lines = [
    `.TH "${roff(fileStem.toUpperCase())}" "1" "" "${roff(`${bin} ${version}`)}" "${roff(bin)} manual"`,
    '.SH NAME',
    `${roff(fileStem)} \\- ${roff(summary)}`,
    '.SH SYNOPSIS',
    ...usage.map((u) => `.B ${roff(bin)}\n${roff(render(u, bin))}\n.br`),
    '.SH DESCRIPTION',
    ...roff(render(cmd.description ?? summary, bin))
      .split(/\n\n+/)
      .flatMap((paragraph) => ['.PP', paragraph]),
    ...flagSection('OPTIONS', flags.filter(([, f]) => f.helpGroup !== 'GLOBAL')),
    ...flagSection('GLOBAL OPTIONS', flags.filter(([, f]) => f.helpGroup === 'GLOBAL')),
    ...examplesSection(cmd.examples, bin),
    '.SH SEE ALSO',
    `${roff(bin)}(1)`,
  ]
  return {file: `${fileStem}.1`, text: lines.join('\n') + '\n'}
}

mkdirSync(manDir, {recursive: true})
let written = 0
for (const bin of ['ectl', 'kctl']) {
  const manifestPath = join(root, 'cli', bin, 'oclif.manifest.json')
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run \`npm run build\` first`)
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  // pages of commands that no longer exist go away
  for (const old of readdirSync(manDir)) if (old.startsWith(`${bin}-`) && old.endsWith('.1')) rmSync(join(manDir, old))
  for (const [id, cmd] of Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b))) {
    if (cmd.hidden) continue
    const {file, text} = page(bin, manifest.version, id, cmd)
    writeFileSync(join(manDir, file), text)
    written++
  }
}
console.log(`wrote ${written} man pages into man/`)
