// Where lmdb's native addon is, found the quick way. lmdb asks node-gyp-build-optional-packages,
// which looks through several folders, reads package files and works out the C library by
// reading the node binary's ELF header (loading detect-libc and child_process): a few
// milliseconds of every ectl run. On glibc Linux with the addon from lmdb's platform package —
// the install npm makes — that search always ends at one file, named by the platform, the
// architecture and Node's ABI; this names it directly. Anything else (a local build, prebuilds
// folders, LMDB_PREBUILD or PREBUILDS_ONLY, musl, another platform) gets lmdb's own search.
// test/engine/mvcc/lmdb-addon.test.ts checks that both name the same file here.
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

/** musl's dynamic loaders, for the architectures lmdb ships Linux builds of. */
const MUSL_LOADERS = ['/lib/ld-musl-x86_64.so.1', '/lib/ld-musl-aarch64.so.1', '/lib/ld-musl-armhf.so.1']

/** The addon file node-gyp-build would pick for lmdb in `lmdbDir`, when the quick way applies. */
export function quickLmdbAddonPath(lmdbDir: string): string | undefined {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) return undefined
  if (process.env['LMDB_PREBUILD'] !== undefined || process.env['PREBUILDS_ONLY'] !== undefined) return undefined
  if (process.env['npm_config_arch'] !== undefined || process.env['npm_config_platform'] !== undefined || process.env['LIBC'] !== undefined) return undefined
  // node-gyp-build prefers these, in this order, over the platform package
  const before = [join(lmdbDir, 'build'), join(lmdbDir, 'prebuilds'), join(dirname(process.execPath), 'prebuilds')]
  if (before.some((dir) => existsSync(dir))) return undefined
  if (MUSL_LOADERS.some((loader) => existsSync(loader))) return undefined
  try {
    const require = createRequire(join(lmdbDir, 'package.json'))
    const packageDir = dirname(require.resolve(`@lmdb/lmdb-linux-${process.arch}/package.json`))
    const file = join(packageDir, `node.abi${process.versions.modules}.glibc.node`)
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

/** lmdb's addon: the quick way when it applies, else lmdb's own loader (`load(lmdbDir)`). */
export function loadLmdbAddon(lmdbDir: string, load: (dir: string) => unknown): unknown {
  const file = quickLmdbAddonPath(lmdbDir)
  if (file === undefined) return load(lmdbDir)
  try {
    return createRequire(join(lmdbDir, 'package.json'))(file)
  } catch {
    return load(lmdbDir)
  }
}
