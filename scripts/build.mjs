// Builds dist/: every command and the launcher bundled by esbuild with code splitting, so the
// modules they share (oclif, our client and engine) load once from a few files instead of
// hundreds, then writes each CLI's oclif manifest. Start-up time is part of the product.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

function listTs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listTs(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

/**
 * lmdb's JavaScript is bundled (its many small modules cost start-up time), but it loads its
 * native addon relative to its own folder: point that at the installed package instead.
 */
const lmdbNativeFromNodeModules = {
  name: 'lmdb-native-from-node_modules',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]lmdb[\\/]native\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const patched = source.replace(
        'loadNAPI(dirName)',
        "loadNAPI(dirname(require.resolve('lmdb')).replace(/[\\\\/]dist$/, ''))",
      )
      if (patched === source) throw new Error('lmdb/native.js changed: update the build plugin')
      return {contents: patched, loader: 'js'}
    })
  },
}

rmSync(join(root, 'dist'), {recursive: true, force: true})
const entryPoints = [join(root, 'src/cli/main.ts'), ...listTs(join(root, 'src/commands'))]
await build({
  entryPoints,
  outdir: join(root, 'dist'),
  outbase: join(root, 'src'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Packages that find files next to themselves at run time stay in node_modules.
  external: ['@grpc/grpc-js', 'msgpackr-extract', 'typescript', 'ts-node', 'tsx'],
  plugins: [lmdbNativeFromNodeModules],
  banner: {js: "import {createRequire as __createRequire} from 'node:module';const require=__createRequire(import.meta.url);"},
  logLevel: 'warning',
  minifySyntax: true,
})

for (const cli of ['ectl', 'kctl']) {
  execFileSync(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest', join(root, 'cli', cli)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, OCLIF_SKIP_UPDATE_CHECK: '1'},
  })
}
console.error(`built ${entryPoints.length} entry points into ${relative(process.cwd(), join(root, 'dist')) || 'dist'}`)

// Man pages come from the same manifests, so they never drift from the commands.
execFileSync(process.execPath, [join(root, 'scripts/man.mjs')], {stdio: ['ignore', 'ignore', 'inherit']})
