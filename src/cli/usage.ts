// The usage text etcdctl (cobra, with etcdctl's own template) prints on stdout when a flag is
// unknown or its value malformed. Rebuilt from our flag metadata so each command's usage lists
// its real flags, laid out by the same tab rules as Go's text/tabwriter (tab width 8, padding
// 1, padded with tabs).

export interface UsageFlag {
  name: string
  char?: string
  kind: 'bool' | 'string' | 'int' | 'raw'
  /** default as etcdctl prints it: `false`, `0`, `l`, `[127.0.0.1:2379]`, `5s` */
  defaultValue: string
  usage: string
}

export interface UsageCommand {
  /** the binary name shown in USAGE */
  bin: string
  /** cobra's Use line without the binary: `get [options] <key> [range_end]` */
  use: string
  short: string
  long?: string
  flags: UsageFlag[]
}

const TAB_WIDTH = 8

/**
 * Go's tabwriter for text whose lines hold at most one tab-terminated cell: consecutive lines
 * with a cell form a block, the block's column is as wide as its widest cell plus one, rounded
 * up to whole tabs, and each cell is followed by as many tabs as fill that width.
 */
export function tabwrite(text: string): string {
  const lines = text.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; ) {
    if (!lines[i]!.includes('\t')) {
      out.push(lines[i]!)
      i++
      continue
    }
    let j = i
    while (j < lines.length && lines[j]!.includes('\t')) j++
    const block = lines.slice(i, j).map((l) => {
      const t = l.indexOf('\t')
      return {cell: l.slice(0, t), rest: l.slice(t + 1)}
    })
    const width = Math.max(...block.map((b) => b.cell.length)) + 1
    const column = Math.ceil(width / TAB_WIDTH) * TAB_WIDTH
    for (const b of block) out.push(b.cell + '\t'.repeat(Math.ceil((column - b.cell.length) / TAB_WIDTH)) + b.rest)
    i = j
  }
  return out.join('\n')
}

/** Go's %q for the ASCII defaults flags have. */
const quoted = (s: string): string => JSON.stringify(s)

/** One pflag usage line (cell, tab, text), as etcdctl's etcdFlagUsages formats it. */
export function flagLine(f: UsageFlag): string {
  let cell = f.char === undefined ? `      --${f.name}` : `  -${f.char}, --${f.name}`
  if (f.kind === 'bool') cell += `[=${f.defaultValue}]`
  else if (f.kind === 'string') cell += `=${quoted(f.defaultValue)}`
  else cell += `=${f.defaultValue}`
  return `${cell}\t${f.usage}`
}

// etcdctl 3.4's global flags, as its usage lists them (ours accept all of them)
export const ETCDCTL_GLOBAL_FLAGS: UsageFlag[] = [
  {name: 'cacert', kind: 'string', defaultValue: '', usage: 'verify certificates of TLS-enabled secure servers using this CA bundle'},
  {name: 'cert', kind: 'string', defaultValue: '', usage: 'identify secure client using this TLS certificate file'},
  {name: 'command-timeout', kind: 'raw', defaultValue: '5s', usage: 'timeout for short running command (excluding dial timeout)'},
  {name: 'debug', kind: 'bool', defaultValue: 'false', usage: 'enable client-side debug logging'},
  {name: 'dial-timeout', kind: 'raw', defaultValue: '2s', usage: 'dial timeout for client connections'},
  {name: 'discovery-srv', char: 'd', kind: 'string', defaultValue: '', usage: 'domain name to query for SRV records describing cluster endpoints'},
  {name: 'discovery-srv-name', kind: 'string', defaultValue: '', usage: 'service name to query when using DNS discovery'},
  {name: 'endpoints', kind: 'raw', defaultValue: '[127.0.0.1:2379]', usage: 'gRPC endpoints'},
  {name: 'hex', kind: 'bool', defaultValue: 'false', usage: 'print byte strings as hex encoded strings'},
  {name: 'insecure-discovery', kind: 'bool', defaultValue: 'true', usage: 'accept insecure SRV records describing cluster endpoints'},
  {
    name: 'insecure-skip-tls-verify',
    kind: 'bool',
    defaultValue: 'false',
    usage: 'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)',
  },
  {name: 'insecure-transport', kind: 'bool', defaultValue: 'true', usage: 'disable transport security for client connections'},
  {name: 'keepalive-time', kind: 'raw', defaultValue: '2s', usage: 'keepalive time for client connections'},
  {name: 'keepalive-timeout', kind: 'raw', defaultValue: '6s', usage: 'keepalive timeout for client connections'},
  {name: 'key', kind: 'string', defaultValue: '', usage: 'identify secure client using this TLS key file'},
  {
    name: 'password',
    kind: 'string',
    defaultValue: '',
    usage: "password for authentication (if this option is used, --user option shouldn't include password)",
  },
  {name: 'user', kind: 'string', defaultValue: '', usage: 'username[:password] for authentication (prompt if password is not supplied)'},
  {name: 'write-out', char: 'w', kind: 'string', defaultValue: 'simple', usage: 'set the output format (fields, json, protobuf, simple, table)'},
]

/** The whole usage text of one command, ending with a blank line as etcdctl's does. */
export function usageText(cmd: UsageCommand): string {
  const name = cmd.use.split(' ')[0]!
  const local = [...cmd.flags, {name: 'help', char: 'h', kind: 'bool', defaultValue: 'false', usage: `help for ${name}`} as UsageFlag]
  local.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  let text = `NAME:\n\t${name} - ${cmd.short}\n\nUSAGE:\n\t${cmd.bin} ${cmd.use} [flags]\n`
  if (cmd.long !== undefined && cmd.long !== '') {
    text += '\nDESCRIPTION:\n' + cmd.long.split('\n').map((l) => `\t${l}\n`).join('')
  }
  text += '\nOPTIONS:\n' + local.map((f) => flagLine(f) + '\n').join('')
  text += '\nGLOBAL OPTIONS:\n' + ETCDCTL_GLOBAL_FLAGS.map((f) => flagLine(f) + '\n').join('') + '\n'
  return tabwrite(text)
}
