// Loads a CLI's bundle (dist/<cli>.cjs, one CommonJS file) through V8's code cache, so a run
// does not parse and compile megabytes of JavaScript again: Node 20 has no compile cache of its
// own (module.enableCompileCache is Node 22). The cache is made at the end of a run that had
// none (or a stale one), with every function that run compiled, and written beside the bundle,
// or in $XDG_CACHE_HOME/ectl-kctl where dist/ is read-only. A cache that cannot be read or written
// only costs time: the bundle always runs.
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {Script} from 'node:vm'
import type {FullBundle} from './lite/full-bundle.js'

/** What the cache was made from: the bundle's size and modification time, and the runtime. */
function cacheKey(bundle: string): string {
  const stat = statSync(bundle, {bigint: true})
  return `${stat.size}:${stat.mtimeNs}:${process.version}:${process.arch}\n`
}

/** Beside the bundle, else in the user's cache dir under a name made of the bundle's path. */
function cacheFiles(bundle: string, variant: string | undefined): string[] {
  const cacheHome = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache')
  const name = variant === undefined ? bundle : `${bundle}.${variant}`
  return [`${name}.cache`, join(cacheHome, 'ectl-kctl', `${name.replace(/[^A-Za-z0-9.]+/g, '_')}.cache`)]
}

/**
 * Commands run often enough to keep a code cache of their own: a cache holds the functions the
 * run that made it compiled, so one made by `kctl sandbox up` leaves a later `kctl get` to
 * compile most of its path again (~10 ms), and one cache for every command would grow with each.
 * Other commands share the bundle's one cache.
 */
const OWN_CACHE_COMMANDS = new Set(['get', 'put', 'del', 'txn', 'describe', 'apply', 'delete', 'logs'])

/** The cache variant of a command line: its first word, when that is a command with its own cache. */
export function cacheVariant(argv: string[]): string | undefined {
  const word = argv[0]
  return word !== undefined && OWN_CACHE_COMMANDS.has(word) ? word : undefined
}

/** The cached data made for this key, or undefined. */
function readCache(files: string[], key: string): Buffer | undefined {
  for (const file of files) {
    let data: Buffer
    try {
      data = readFileSync(file)
    } catch {
      continue
    }
    const header = Buffer.from(key)
    if (data.length > header.length && data.subarray(0, header.length).equals(header)) return data.subarray(header.length)
  }
  return undefined
}

/** Writes the cache to the first place that takes it; a rename, so readers never see half. */
function writeCache(files: string[], key: string, data: Buffer): void {
  for (const file of files) {
    const temp = `${file}.${process.pid}.tmp`
    try {
      mkdirSync(dirname(file), {recursive: true})
      writeFileSync(temp, Buffer.concat([Buffer.from(key), data]))
      renameSync(temp, file)
      return
    } catch {
      // read-only or full: try the next place
    }
  }
}

/** Runs the bundle as Node runs a CommonJS module, and returns its exports. */
export function loadBundle(bundle: string, variant?: string): unknown {
  // the build leaves the bundle pure ASCII (see scripts/build.mjs): latin1 is a plain copy
  const source = readFileSync(bundle, 'latin1')
  const key = cacheKey(bundle)
  const files = cacheFiles(bundle, variant)
  const cachedData = readCache(files, key)
  const script = new Script(Module.wrap(source), {filename: bundle, cachedData})
  const compiled = script.runInThisContext() as (...args: unknown[]) => void

  const module = new Module(bundle)
  module.filename = bundle
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's internal path list, as require() builds it
  module.paths = (Module as any)._nodeModulePaths(dirname(bundle)) as string[]
  const require = createRequire(bundle)
  // a later require() of the bundle (oclif's command discovery) gets this module, not a second copy
  require.cache[bundle] = module
  compiled.call(module.exports, module.exports, require, module, bundle, dirname(bundle))
  module.loaded = true

  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => writeCache(files, key, script.createCachedData()))
  }
  return module.exports
}

/** The launcher's whole job: load the CLI's bundle and run it. */
export async function launch(cli: 'ectl' | 'kctl', packageDir: string): Promise<void> {
  let loaded: FullBundle | undefined
  const full = () => (loaded ??= loadBundle(join(packageDir, 'dist', `${cli}.cjs`)) as FullBundle)
  // most runs are one command oclif would just run: the lite bundle runs it without oclif
  const lite = loadBundle(join(packageDir, 'dist', `${cli}-lite.cjs`), cacheVariant(process.argv.slice(2))) as {runLite: (packageDir: string, full: () => FullBundle) => Promise<boolean>}
  if (await lite.runLite(packageDir, full)) return
  await full().main(cli, packageDir)
}
