// etcdctl's connection flags as the gRPC client's options: durations, TLS files read, the user
// and password split (or asked for). Errors are worded as etcdctl's.
import {readFile} from 'node:fs/promises'
import type {GrpcClientOptions, TlsOptions} from '../client/etcd/grpc/options.js'
import {badArgs} from './exit.js'
import {goParseDurationMs} from './go-duration.js'
import {readPassword} from './password-prompt.js'

/** The global flags that shape a network connection, as parsed (strings and booleans). */
export interface NetworkFlags {
  'dial-timeout'?: string
  'command-timeout'?: string
  'keepalive-time'?: string
  'keepalive-timeout'?: string
  'insecure-transport'?: boolean
  'insecure-skip-tls-verify'?: boolean
  cacert?: string
  cert?: string
  key?: string
  user?: string
  password?: string
}

export const durationFlags = ['dial-timeout', 'command-timeout', 'keepalive-time', 'keepalive-timeout'] as const

/** No endpoint given but --endpoints or ETCDCTL_ENDPOINTS set (empty): etcdctl's default. */
export const defaultEndpoint = '127.0.0.1:2379'

export async function networkOptions(endpoints: readonly string[], flags: NetworkFlags): Promise<GrpcClientOptions> {
  const ms = (name: (typeof durationFlags)[number]): number | undefined => {
    const value = flags[name]
    return value === undefined ? undefined : goParseDurationMs(value)
  }
  return {
    endpoints: endpoints.length > 0 ? endpoints : [defaultEndpoint],
    dialTimeoutMs: ms('dial-timeout'),
    commandTimeoutMs: ms('command-timeout'),
    keepaliveTimeMs: ms('keepalive-time'),
    keepaliveTimeoutMs: ms('keepalive-timeout'),
    tls: await tlsOptions(flags),
    user: await userOptions(flags),
  }
}

/** TLS as etcdctl decides: any TLS flag, or --insecure-transport=false, asks for it. */
async function tlsOptions(flags: NetworkFlags): Promise<TlsOptions | undefined> {
  const wanted =
    flags.cacert !== undefined || flags.cert !== undefined || flags.key !== undefined || flags['insecure-skip-tls-verify'] === true || flags['insecure-transport'] === false
  if (!wanted) return undefined
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw badArgs(flags.cert === undefined ? 'key file is given without cert file' : 'cert file is given without key file')
  }
  const read = async (path: string | undefined): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined
    try {
      return await readFile(path)
    } catch (error) {
      throw badArgs(`open ${path}: ${goFileError(error)}`)
    }
  }
  return {ca: await read(flags.cacert), cert: await read(flags.cert), key: await read(flags.key), skipVerify: flags['insecure-skip-tls-verify'] === true}
}

async function userOptions(flags: NetworkFlags): Promise<GrpcClientOptions['user']> {
  if (flags.user === undefined || flags.user === '') return undefined
  if (flags.password !== undefined && flags.password !== '') return {name: flags.user, password: flags.password}
  const colon = flags.user.indexOf(':')
  if (colon >= 0) return {name: flags.user.slice(0, colon), password: flags.user.slice(colon + 1)}
  return {name: flags.user, password: await readPassword()}
}

function goFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  return (error as Error).message
}
