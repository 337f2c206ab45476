// The flags every ectl command accepts: etcdctl's global flags (so scripts written for etcdctl
// run unchanged) plus --data-dir for the embedded engine. Each may also come from the
// environment as ETCDCTL_<NAME> (dashes to underscores), as etcdctl allows; setting both a
// flag and its variable is an error there, and so here.
import {Flags} from '@oclif/core'

const GLOBAL = 'GLOBAL'

export const globalFlags = {
  'write-out': Flags.string({
    char: 'w',
    description: 'set the output format (fields, json, protobuf, simple, table)',
    default: 'simple',
    helpGroup: GLOBAL,
  }),
  hex: Flags.boolean({description: 'print byte strings as hex encoded strings', helpGroup: GLOBAL}),
  'data-dir': Flags.string({
    description: 'data directory of the embedded engine (default: $XDG_DATA_HOME/ectl)',
    env: 'ECTL_DATA_DIR',
    helpGroup: GLOBAL,
  }),
  endpoints: Flags.string({description: 'gRPC endpoints (comma separated)', helpGroup: GLOBAL}),
  'dial-timeout': Flags.string({description: 'dial timeout for client connections', default: '2s', helpGroup: GLOBAL}),
  'command-timeout': Flags.string({
    description: 'timeout for short running command (excluding dial timeout)',
    default: '5s',
    helpGroup: GLOBAL,
  }),
  'keepalive-time': Flags.string({description: 'keepalive time for client connections', default: '2s', helpGroup: GLOBAL}),
  'keepalive-timeout': Flags.string({description: 'keepalive timeout for client connections', default: '6s', helpGroup: GLOBAL}),
  debug: Flags.boolean({description: 'enable client-side debug logging', helpGroup: GLOBAL}),
  'insecure-transport': Flags.boolean({
    description: 'disable transport security for client connections',
    default: true,
    helpGroup: GLOBAL,
  }),
  'insecure-skip-tls-verify': Flags.boolean({description: 'skip server certificate verification', helpGroup: GLOBAL}),
  'insecure-discovery': Flags.boolean({
    description: 'accept insecure SRV records describing cluster endpoints',
    default: true,
    helpGroup: GLOBAL,
  }),
  cacert: Flags.string({description: 'verify certificates of TLS-enabled secure servers using this CA bundle', helpGroup: GLOBAL}),
  cert: Flags.string({description: 'identify secure client using this TLS certificate file', helpGroup: GLOBAL}),
  key: Flags.string({description: 'identify secure client using this TLS key file', helpGroup: GLOBAL}),
  user: Flags.string({description: 'username[:password] for authentication', helpGroup: GLOBAL}),
  password: Flags.string({description: 'password for authentication', helpGroup: GLOBAL}),
  'discovery-srv': Flags.string({
    char: 'd',
    description: 'domain name to query for SRV records describing cluster endpoints',
    helpGroup: GLOBAL,
  }),
  'discovery-srv-name': Flags.string({description: 'service name to query when using DNS discovery', helpGroup: GLOBAL}),
}

/** ETCDCTL_* variables etcdctl knows besides its flags (the watch ones are read by `watch`). */
const OTHER_KNOWN_ENV = new Set(['ETCDCTL_API', 'ETCDCTL_WATCH_KEY', 'ETCDCTL_WATCH_RANGE_END'])

export const envName = (flag: string): string => 'ETCDCTL_' + flag.toUpperCase().replaceAll('-', '_')

/** Names of the global flags that ETCDCTL_* variables can set (not --data-dir: ECTL_DATA_DIR). */
export const ENV_SETTABLE = Object.keys(globalFlags).filter((f) => f !== 'data-dir')

/** ETCDCTL_* variables that name no flag: etcdctl warns about each and carries on. */
export function unknownEtcdctlEnv(env: NodeJS.ProcessEnv): string[] {
  const known = new Set([...ENV_SETTABLE.map(envName), ...OTHER_KNOWN_ENV])
  return Object.keys(env)
    .filter((k) => k.startsWith('ETCDCTL_') && !known.has(k))
    .sort()
}

/** capnslog's timestamp, which etcdctl's flag warnings carry: `2006-01-02 15:04:05.000000`. */
export function logTimestamp(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return (
    `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ` +
    `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}.${p(now.getMilliseconds() * 1000, 6)}`
  )
}
