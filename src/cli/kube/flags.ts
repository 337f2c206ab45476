// kctl's flag declarations: oclif flags (for the manifest, help and man pages) that also carry
// the pflag kind the parser needs (bool, string, int, string slice, ...). kubectl's global flags
// live here too.
import {Flags} from '@oclif/core'
import type {FlagKind, FlagSpec} from './argv.js'

interface Common {
  char?: string
  description: string
  hidden?: boolean
  helpValue?: string
}

type Tagged<T> = T & {kctlKind: FlagKind; kctlNoOptDefault?: string}

const tag = <T extends object>(flag: T, kind: FlagKind, noOpt?: string): Tagged<T> =>
  Object.assign(flag, {kctlKind: kind, kctlNoOptDefault: noOpt})

/* eslint-disable @typescript-eslint/no-explicit-any */
export const kbool = (o: Common & {default?: boolean}) => tag(Flags.boolean({...(o as any), allowNo: false}), 'bool')
export const kstring = (o: Common & {default?: string; options?: string[]}) => tag(Flags.string(o as any), 'string')
/** a string flag that may also be given bare (`--dry-run` means `--dry-run=client`) */
export const kstringOpt = (o: Common & {default?: string; noOptDefault: string}) => tag(Flags.string(o as any), 'string', o.noOptDefault)
export const kint = (o: Common & {default?: number}) =>
  tag(Flags.string({...(o as any), default: o.default === undefined ? undefined : String(o.default)}), 'int')
export const kduration = (o: Common & {default?: string}) => tag(Flags.string(o as any), 'duration')
/** repeatable, and each value split at commas (pflag StringSlice) */
export const kslice = (o: Common) => tag(Flags.string({...(o as any), multiple: true}), 'stringSlice')
/** repeatable, values kept whole (pflag StringArray) */
export const karray = (o: Common) => tag(Flags.string({...(o as any), multiple: true}), 'stringArray')
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The parser's view of a command's oclif flags. */
export function flagSpecs(flags: Record<string, unknown>): FlagSpec[] {
  return Object.entries(flags).map(([name, raw]) => {
    const f = raw as {char?: string; type: string; default?: unknown; kctlKind?: FlagKind; kctlNoOptDefault?: string}
    const kind: FlagKind = f.kctlKind ?? (f.type === 'boolean' ? 'bool' : 'string')
    const def = typeof f.default === 'function' ? undefined : (f.default as string | boolean | undefined)
    return {name, char: f.char, kind, default: def, noOptDefault: f.kctlNoOptDefault}
  })
}

/** kubectl's global flags (every command takes them). */
export const kubeGlobalFlags = {
  kubeconfig: kstring({description: 'Path to the kubeconfig file to use for CLI requests.'}),
  context: kstring({description: 'The name of the kubeconfig context to use'}),
  cluster: kstring({description: 'The name of the kubeconfig cluster to use'}),
  user: kstring({description: 'The name of the kubeconfig user to use'}),
  namespace: kstring({char: 'n', description: 'If present, the namespace scope for this CLI request'}),
  server: kstring({char: 's', description: 'The address and port of the Kubernetes API server'}),
  token: kstring({description: 'Bearer token for authentication to the API server'}),
  username: kstring({description: 'Username for basic authentication to the API server', hidden: true}),
  password: kstring({description: 'Password for basic authentication to the API server', hidden: true}),
  'certificate-authority': kstring({description: 'Path to a cert file for the certificate authority'}),
  'client-certificate': kstring({description: 'Path to a client certificate file for TLS'}),
  'client-key': kstring({description: 'Path to a client key file for TLS'}),
  'insecure-skip-tls-verify': kbool({
    description: "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
  }),
  'tls-server-name': kstring({description: 'Server name to use for server certificate validation', hidden: true}),
  'request-timeout': kstring({
    description: 'The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don\'t timeout requests.',
    default: '0',
  }),
  v: kstring({char: 'v', description: 'number for the log level verbosity', default: '0'}),
  'data-dir': kstring({
    description: 'With no kubeconfig and no --server: the embedded data dir whose API server kctl reaches in-process (default: $ECTL_DATA_DIR or ~/.local/share/ectl)',
  }),
}

/** The global flags that take a value, for moving them after the command word. */
export const GLOBAL_VALUE_FLAGS = new Set(
  Object.entries(kubeGlobalFlags)
    .filter(([, f]) => (f as {kctlKind: FlagKind}).kctlKind !== 'bool')
    .flatMap(([name, f]) => [`--${name}`, ...((f as {char?: string}).char ? [`-${(f as {char?: string}).char}`] : [])]),
)

/** The flags every `create KIND` generator takes. */
export const generatorFlags = {
  'dry-run': kstringOpt({
    description: 'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
    default: 'none',
    noOptDefault: 'unchanged',
  }),
  output: kstring({char: 'o', description: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).'}),
  'field-manager': kstring({description: 'Name of the manager used to track field ownership.', default: 'kubectl-create'}),
  'save-config': kbool({description: "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."}),
  validate: kstringOpt({description: "Must be one of: strict (or true), warn, ignore (or false).", default: 'strict', noOptDefault: 'strict'}),
}
