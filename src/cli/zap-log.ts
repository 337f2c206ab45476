// The zap log lines etcdctl writes on stderr around a snapshot (save and restore), in its
// production encoder's form: level, ts, caller, msg, then the fields in order. Two loggers are
// at work in etcdctl: the snapshot package's stamps ts as Unix seconds, the client's as an ISO
// time; both are kept, so scripts that read these lines read ours alike.

type Value = string | number | string[]

function encode(value: Value): string {
  return Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(',')}]` : typeof value === 'number' ? String(value) : JSON.stringify(value)
}

export function zapLine(caller: string, msg: string, fields: [string, Value][] = [], isoTime = false, now = new Date()): string {
  const ts = isoTime ? JSON.stringify(now.toISOString()) : String(now.getTime() / 1000)
  const rest = fields.map(([k, v]) => `,"${k}":${encode(v)}`).join('')
  return `{"level":"info","ts":${ts},"caller":"${caller}","msg":${JSON.stringify(msg)}${rest}}\n`
}

/** Go's words for the usual file errors (node prefixes its own code). */
export function goFileError(op: string, path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
    ENOSPC: 'no space left on device',
  }
  const text = code !== undefined && words[code] !== undefined ? words[code] : (error as Error).message
  return `${op} ${path}: ${text}`
}
