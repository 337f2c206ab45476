// Discovery kept on disk between runs, as kubectl keeps it (~/.kube/cache/discovery/HOST_PORT):
// one JSON file per server, trusted for 6 hours (kubectl's default), written atomically.
// A resource type the file lacks makes kctl ask the server again (resources.ts).
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import type {DiscoveryStore, RawDiscovery} from '../../client/kube/client.js'

const TTL_MS = 6 * 3600 * 1000

export function fileDiscoveryStore(server: string, env: NodeJS.ProcessEnv = process.env): DiscoveryStore {
  const url = new URL(server)
  const dir = join(env['HOME'] ?? homedir(), '.kube', 'cache', 'kctl-discovery')
  const file = join(dir, `${url.hostname}_${url.port || (url.protocol === 'https:' ? '443' : '80')}${url.pathname.replace(/[^A-Za-z0-9]/g, '_')}.json`)
  return {
    load() {
      try {
        if (Date.now() - statSync(file).mtimeMs > TTL_MS) return undefined
        return JSON.parse(readFileSync(file, 'utf8')) as RawDiscovery
      } catch {
        return undefined
      }
    },
    save(d) {
      try {
        mkdirSync(dir, {recursive: true, mode: 0o750})
        const tmp = `${file}.${process.pid}.tmp`
        writeFileSync(tmp, JSON.stringify(d))
        renameSync(tmp, file)
      } catch {
        // a cache that cannot be written only costs the next run a discovery
      }
    },
  }
}
