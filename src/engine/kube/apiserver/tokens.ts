// Bearer tokens from a static token file, as kube-apiserver's --token-auth-file reads it:
// one `token,user,uid[,"group1,group2"]` line per token (CSV; the group list quoted).
import type {Caller} from './authz.js'

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
function csvFields(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((f) => f.trim())
}

export class TokenFileError extends Error {}

/** Parses a token file; a malformed line is an error naming its line number. */
export function parseTokenFile(text: string): Map<string, Caller> {
  const tokens = new Map<string, Caller>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = csvFields(line)
    if (fields.length < 3 || !fields[0] || !fields[1]) throw new TokenFileError(`token file: line ${i + 1}: expected token,user,uid[,"groups"]`)
    const [token, user, uid, groups] = fields
    if (tokens.has(token)) throw new TokenFileError(`token file: line ${i + 1}: duplicate token`)
    tokens.set(token, {user, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : []})
  })
  return tokens
}

/** An authenticateToken function for serveHttps over a parsed token file. */
export function tokenAuthenticator(tokens: Map<string, Caller>): (token: string) => Caller | undefined {
  return (token) => {
    const caller = tokens.get(token)
    return caller ? {...caller, groups: [...caller.groups]} : undefined
  }
}
