// Builds dist/: each CLI bundled by esbuild into one CommonJS file (dist/ectl.cjs,
// dist/kctl.cjs) holding oclif, the commands and everything they import, which the launcher
// (dist/launch.cjs, used by bin/*.js) loads through V8's code cache; then writes each CLI's oclif
// manifest and the man pages. Start-up time is part of the product: one file read and no
// compilation beats hundreds of modules resolved, read and compiled on every run.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const clis = ['ectl', 'kctl']

function listTs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listTs(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

/**
 * The entry of one CLI's bundle: `main`, and `commands`, the table oclif's "explicit" command
 * discovery reads (cli/<name>/package.json points at it). Each command is a getter that
 * initializes its module on first use (esbuild turns `require` of a bundled module into a lazy
 * init), so a run evaluates the one command it runs, not all of them.
 */
function commandTable(cli, only = undefined) {
  const dir = join(root, 'src/commands', cli)
  const all = listTs(dir)
    .sort()
    .map((file) => [relative(dir, file).replace(/\.ts$/, '').split(/[\\/]/).join(':'), file])
  const rows = all
    .filter(([id]) => (typeof only === 'function' ? only(id, all.map(([other]) => other)) : only === undefined || only.includes(id)))
    .map(([id, file]) => `  get ${JSON.stringify(id)}() { return require(${JSON.stringify(`./${relative(root, file)}`)}).default },`)
  if (Array.isArray(only) && rows.length !== only.length) throw new Error(`${cli}: a lite command is missing: ${only.join(' ')}`)
  return ['export const commands = {', ...rows, '}']
}

function entrySource(cli) {
  return [`export * from './src/cli/main.ts'`, ...commandTable(cli), ''].join('\n')
}

/**
 * ectl's lite bundle holds the one-shot commands people and scripts run most; a command here
 * must start by parsing its flags (the lite parser may hand the run to oclif, before anything
 * happened). The rest are one command each away in the full bundle.
 */
const ectlLiteCommands = ['compaction', 'del', 'get', 'put', 'txn']

/**
 * kctl's lite bundle holds the commands the lite route can run: one word that is no topic
 * (src/cli/lite/run.ts hands the others to oclif before anything runs).
 */
const kctlLiteCommand = (id, ids) => !id.includes(':') && !ids.some((other) => other.startsWith(`${id}:`))

/** A lite bundle: commands over the stand-in for oclif (src/cli/lite/oclif.ts). */
function liteEntrySource(cli) {
  const main = cli === 'kctl' ? './src/cli/kube/lite-main.ts' : './src/cli/lite-main.ts'
  return [
    `import {liteMain} from '${main}'`,
    ...commandTable(cli, cli === 'kctl' ? kctlLiteCommand : ectlLiteCommands),
    'export const runLite = (packageDir, full) => liteMain(packageDir, commands, full)',
    '',
  ].join('\n')
}

/** In the lite bundle '@oclif/core' is the stand-in; a name it lacks fails the build. */
const oclifStandIn = {
  name: 'oclif-stand-in',
  setup(esbuild) {
    esbuild.onResolve({filter: /^@oclif\/core$/}, () => ({path: join(root, 'src/cli/lite/oclif.ts')}))
  },
}

/**
 * kctl's lite bundle without the engine: the in-process API server (src/cli/kube/embedded.ts
 * and the LMDB store, MVCC and API server under it) is replaced by embedded-declined.ts, which
 * hands the run to the full bundle; in-process-route.ts sends such runs there up front.
 */
const embeddedLeftToFull = {
  name: 'embedded-left-to-full',
  setup(esbuild) {
    esbuild.onResolve({filter: /^\.\/embedded\.js$/}, (args) =>
      args.importer === join(root, 'src/cli/kube/connect.ts') ? {path: join(root, 'src/cli/kube/embedded-declined.ts')} : undefined,
    )
  },
}

/** Fails the build if a lite bundle took in what it must leave to the full one. */
function checkLeftOut(bundle, metafile, pattern) {
  const found = Object.keys(metafile.inputs).filter((input) => pattern.test(input))
  if (found.length > 0) throw new Error(`${bundle} must not hold ${found.slice(0, 5).join(', ')}`)
}

/**
 * node:crypto loaded on first use, for ectl's lite bundle: loading it costs a few milliseconds
 * (its JavaScript and OpenSSL's bindings), and most engine modules import it at the top for
 * calls a `get` never makes (lease and member ids, password hashes, snapshot digests). Every
 * export of node:crypto is a getter that loads the real module.
 */
const lazyCrypto = {
  name: 'lazy-node-crypto',
  setup(esbuild) {
    esbuild.onResolve({filter: /^(node:)?crypto$/}, (args) =>
      args.namespace === 'lazy-node-crypto' ? {path: 'node:crypto', external: true} : {path: 'node:crypto', namespace: 'lazy-node-crypto'},
    )
    esbuild.onLoad({filter: /.*/, namespace: 'lazy-node-crypto'}, async () => {
      const names = Object.getOwnPropertyNames(await import('node:crypto')).filter((name) => name !== 'default')
      const contents = [
        'let real',
        "const load = () => (real ??= require('node:crypto'))",
        `for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, {enumerable: true, get: () => load()[name]})`,
      ].join('\n')
      return {contents, loader: 'js'}
    })
  },
}

/**
 * lmdb's JavaScript is bundled, but it loads its native addon relative to its own folder:
 * point that at the installed package instead, and name the addon file directly where that is
 * what lmdb's search would find (src/engine/mvcc/lmdb-addon.ts).
 */
const lmdbNativeFromNodeModules = {
  name: 'lmdb-native-from-node_modules',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]lmdb[\\/]native\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const patched = source.replace(
        'loadNAPI(dirName)',
        `require(${JSON.stringify(join(root, 'src/engine/mvcc/lmdb-addon.ts'))}).loadLmdbAddon(dirname(require.resolve('lmdb')).replace(/[\\\\/]dist$/, ''), loadNAPI)`,
      )
      if (patched === source) throw new Error('lmdb/native.js changed: update the build plugin')
      return {contents: patched, loader: 'js'}
    })
  },
}

/**
 * What oclif does on every run that costs more than the rest of its start-up, replaced in the
 * bundle (the build fails if the code they replace changes):
 * - it sorts the manifest's commands with localeCompare, whose first call loads ICU's collation
 *   data (~10 ms); ids are lowercase ASCII words, ':' and '-', which sort the same by code unit
 *   (checked against localeCompare after the manifest is written, below);
 * - it checks the Node version against package.json's engines with semver, loading semver;
 *   the bundle is built for Node 20, the version engines asks for;
 * - it loads node:child_process (for a Windows shell probe) and node:perf_hooks (for its
 *   opt-in performance markers) up front: here, on first use;
 * - a command it runs loads the whole Config a second time (Command.run, so that a plugin built
 *   on another oclif version gets a Config of its own); in one bundle there is one oclif, and
 *   the Config that found the command is the one it runs with;
 * - it reads its JSON files (package.json, the manifest, theme and user plugin files) with
 *   fs/promises, each read four trips through libuv's thread pool, which a loaded machine
 *   schedules late: a synchronous read of a small file is cheaper.
 */
const oclifStartup = {
  name: 'oclif-startup',
  setup(esbuild) {
    const patches = [
      [/[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/, '.sort((a, b) => a.id.localeCompare(b.id));', '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));'],
      [/[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/, '\ncheckNodeVersion();\n', '\n'],
      [
        /[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/,
        'const node_child_process_1 = require("node:child_process");',
        'const node_child_process_1 = {get execSync() { return require("node:child_process").execSync; }};',
      ],
      [
        /[\\/]@oclif[\\/]core[\\/]lib[\\/]performance\.js$/,
        'const node_perf_hooks_1 = require("node:perf_hooks");',
        'const node_perf_hooks_1 = {get performance() { return require("node:perf_hooks").performance; }, get PerformanceObserver() { return require("node:perf_hooks").PerformanceObserver; }};',
      ],
      [
        /[\\/]@oclif[\\/]core[\\/]lib[\\/]command\.js$/,
        'const config = await config_1.Config.load(opts || require.main?.filename || __dirname);',
        'const config = opts instanceof config_1.Config ? opts : await config_1.Config.load(opts || require.main?.filename || __dirname);',
      ],
      [
        /[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]fs\.js$/,
        "const contents = await (0, promises_1.readFile)(path, 'utf8');",
        "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');",
      ],
    ]
    for (const [filter, from, to] of patches) {
      esbuild.onLoad({filter}, (args) => {
        const source = readFileSync(args.path, 'utf8')
        if (!source.includes(from)) throw new Error(`${args.path} changed: update the oclif-startup build plugin`)
        return {contents: source.replace(from, to), loader: 'js'}
      })
    }
  },
}

/** The order oclif would have given the commands is the order the patched sort gives. */
function checkCommandOrder(cli) {
  const ids = Object.keys(JSON.parse(readFileSync(join(root, 'cli', cli, 'oclif.manifest.json'), 'utf8')).commands)
  const byLocale = [...ids].sort((a, b) => a.localeCompare(b)).join(' ')
  const byCodeUnit = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(' ')
  if (byLocale !== byCodeUnit) throw new Error(`${cli}: command ids sort differently by locale: see the oclif-startup build plugin`)
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: [
    // packages that find files next to themselves at run time stay in node_modules
    '@grpc/grpc-js',
    'msgpackr-extract',
    'typescript',
    'ts-node',
    'tsx',
    // large and off the hot paths (interactive prompts, sandbox certificates, server metrics):
    // every run would read them, few need them
    '@inquirer/prompts',
    'node-forge',
    'prom-client',
  ],
  plugins: [lmdbNativeFromNodeModules, oclifStartup],
  // ESM packages bundled into CommonJS (lmdb) ask for import.meta.url: the bundle's own URL
  // (a getter: most runs never ask, and making the URL costs node:url's first use)
  define: {'import.meta.url': '__bundleMeta.url'},
  banner: {js: "var __bundleMeta={get url(){return require('node:url').pathToFileURL(__filename).href}};"},
  // import() of a bundled module becomes a lazy init; of an external, a require
  supported: {'dynamic-import': false},
  logLevel: 'warning',
  logOverride: {'require-resolve-not-external': 'silent'},
  // smaller is faster to read and to keep in memory; names kept for oclif and error checks
  minify: true,
  keepNames: true,
  legalComments: 'external',
}

/**
 * esbuild writes ASCII except inside regular expression literals; escaping what is left makes
 * the bundle pure ASCII, which the launcher reads as latin1 (a copy, where UTF-8 would be
 * decoded into a string twice the size). A \\uXXXX escape means the same character in a
 * string, template, regular expression or identifier, and comments are gone (minified).
 */
function asciiOnly(file) {
  const source = readFileSync(file, 'utf8')
  const escaped = source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (escaped !== source) writeFileSync(file, escaped)
}

rmSync(join(root, 'dist'), {recursive: true, force: true})
await Promise.all([
  ...clis.map((cli) =>
    build({
      ...common,
      stdin: {contents: entrySource(cli), resolveDir: root, sourcefile: `${cli}-entry.ts`, loader: 'ts'},
      outfile: join(root, 'dist', `${cli}.cjs`),
    }),
  ),
  ...clis.map(async (cli) => {
    const result = await build({
      ...common,
      plugins: [...common.plugins, oclifStandIn, ...(cli === 'ectl' ? [lazyCrypto] : [embeddedLeftToFull])],
      stdin: {contents: liteEntrySource(cli), resolveDir: root, sourcefile: `${cli}-lite-entry.ts`, loader: 'ts'},
      outfile: join(root, 'dist', `${cli}-lite.cjs`),
      metafile: cli === 'kctl',
    })
    // the API's pure helpers (quantities, name rules) are welcome; the store and servers are not
    if (cli === 'kctl') checkLeftOut('dist/kctl-lite.cjs', result.metafile, /^src\/engine\/(?!kube\/api\/)|node_modules\/lmdb\//)
  }),
  build({...common, entryPoints: [join(root, 'src/cli/launch.ts')], outfile: join(root, 'dist/launch.cjs')}),
])

const bundles = clis.flatMap((cli) => [cli, `${cli}-lite`])
for (const bundle of bundles) asciiOnly(join(root, 'dist', `${bundle}.cjs`))

for (const cli of clis) {
  execFileSync(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest', join(root, 'cli', cli)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, OCLIF_SKIP_UPDATE_CHECK: '1'},
  })
}
for (const cli of clis) checkCommandOrder(cli)
console.error(`built ${bundles.map((bundle) => `dist/${bundle}.cjs`).join(', ')}`)

// Man pages come from the same manifests, so they never drift from the commands.
execFileSync(process.execPath, [join(root, 'scripts/man.mjs')], {stdio: ['ignore', 'ignore', 'inherit']})
