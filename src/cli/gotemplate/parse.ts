// Go's text/template syntax, parsed as Go parses it (lexer and parser of text/template/parse):
// text and `{{ }}` actions with `{{- ` / ` -}}` trimming and `/* */` comments; pipelines of
// commands joined by `|`, with `$x :=` / `$x =` declarations; fields, chains, variables,
// functions, parenthesized pipelines and constants; if / else if / else, range (with break and
// continue), with / else with, define, template and block. Errors read as Go's
// (`template: NAME:LINE: unclosed action`), since kubectl prints them as they are.

export type Arg =
  | {t: 'field'; pos: number; ident: string[]}
  | {t: 'variable'; pos: number; ident: string[]}
  | {t: 'identifier'; pos: number; name: string}
  | {t: 'dot'; pos: number}
  | {t: 'nil'; pos: number}
  | {t: 'bool'; pos: number; value: boolean}
  | {t: 'number'; pos: number; text: string; isInt: boolean; value: number}
  | {t: 'string'; pos: number; quoted: string; text: string}
  | {t: 'chain'; pos: number; node: Arg; fields: string[]}
  | Pipe

export interface Command {
  pos: number
  args: Arg[]
}

export interface Pipe {
  t: 'pipe'
  pos: number
  isAssign: boolean
  decl: string[]
  cmds: Command[]
}

export type Node =
  | {t: 'text'; pos: number; text: string}
  | {t: 'action'; pos: number; pipe: Pipe}
  | {t: 'if' | 'range' | 'with'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[]}
  | {t: 'template'; pos: number; name: string; pipe?: Pipe; namePos: number}
  | {t: 'break' | 'continue'; pos: number}

export interface Template {
  name: string
  /** the source text, for error positions */
  text: string
  root: Node[]
  /** every template the text defines, `name` included */
  defined: Map<string, Node[]>
}

export class TemplateParseError extends Error {}

// ---------------------------------------------------------------------------------------------
// lexer

type ItemType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'comment' | 'leftParen' | 'rightParen'
  | 'pipe' | 'declare' | 'assign' | 'char' | 'bool' | 'number' | 'string' | 'rawString' | 'charConstant'
  | 'field' | 'dot' | 'variable' | 'identifier' | 'nil'
  | 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'range' | 'template' | 'with'

interface Item {
  typ: ItemType
  pos: number
  val: string
  line: number
}

const keywords = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with', 'nil'])
const isSpaceChar = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n'
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c)

function lex(input: string): Item[] {
  const items: Item[] = []
  let pos = 0
  let start = 0
  let line = 1
  let startLine = 1
  let parenDepth = 0
  const emit = (typ: ItemType, val = input.slice(start, pos)) => {
    items.push({typ, pos: start, val, line: startLine})
    start = pos
    startLine = line
  }
  const advance = (n: number) => {
    for (let i = 0; i < n; i++) if (input[pos + i] === '\n') line++
    pos += n
  }
  const ignore = () => {
    start = pos
    startLine = line
  }
  const fail = (msg: string) => {
    items.push({typ: 'error', pos: start, val: msg, line: startLine})
  }
  const atRightDelim = (): {trim: boolean} | undefined => {
    if (input.startsWith(' -}}', pos) || input.startsWith('\t-}}', pos) || input.startsWith('\r-}}', pos) || input.startsWith('\n-}}', pos)) return {trim: true}
    if (input.startsWith('}}', pos)) return {trim: false}
    return undefined
  }
  let trimNextText = false
  for (;;) {
    // text up to the next action
    const open = input.indexOf('{{', pos)
    const end = open < 0 ? input.length : open
    let text = input.slice(pos, end)
    let textStart = pos
    if (trimNextText) {
      const trimmed = text.replace(/^[ \t\r\n]+/, '')
      textStart += text.length - trimmed.length
      text = trimmed
    }
    const leftTrim = open >= 0 && isSpaceChar(input[open + 2 + 1]) && input[open + 2] === '-'
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '')
    advance(textStart - pos)
    ignore()
    if (text.length > 0) {
      advance(text.length)
      emit('text')
    }
    advance(end - pos)
    ignore()
    if (open < 0) {
      emit('eof', '')
      return items
    }
    // the action
    advance(2)
    if (leftTrim) advance(2)
    trimNextText = false
    if (input.startsWith('/*', pos)) {
      const close = input.indexOf('*/', pos)
      if (close < 0) {
        fail('unclosed comment')
        return items
      }
      advance(close + 2 - pos)
      const delim = atRightDelim()
      if (!delim) {
        fail('comment ends before closing delimiter')
        return items
      }
      advance(delim.trim ? 4 : 2)
      trimNextText = delim.trim
      ignore()
      continue
    }
    emit('leftDelim', '{{')
    for (;;) {
      const delim = atRightDelim()
      if (delim && parenDepth === 0) {
        if (delim.trim) {
          advance(2)
          ignore()
        }
        advance(2)
        emit('rightDelim', '}}')
        trimNextText = delim.trim
        break
      }
      const c = input[pos]
      if (c === undefined) {
        fail('unclosed action')
        return items
      }
      if (isSpaceChar(c)) {
        while (isSpaceChar(input[pos]) && !(atRightDelim()?.trim && parenDepth === 0)) advance(1)
        emit('space')
      } else if (c === '=') {
        advance(1)
        emit('assign')
      } else if (c === ':') {
        if (input[pos + 1] !== '=') {
          fail('expected :=')
          return items
        }
        advance(2)
        emit('declare')
      } else if (c === '|') {
        advance(1)
        emit('pipe')
      } else if (c === '"') {
        advance(1)
        for (;;) {
          const d = input[pos]
          if (d === '\\' && input[pos + 1] !== undefined && input[pos + 1] !== '\n') advance(2)
          else if (d === undefined || d === '\n') {
            fail('unterminated quoted string')
            return items
          } else if (d === '"') break
          else advance(1)
        }
        advance(1)
        emit('string')
      } else if (c === '`') {
        const close = input.indexOf('`', pos + 1)
        if (close < 0) {
          fail('unterminated raw quoted string')
          return items
        }
        advance(close + 1 - pos)
        emit('rawString')
      } else if (c === "'") {
        advance(1)
        for (;;) {
          const d = input[pos]
          if (d === '\\' && input[pos + 1] !== undefined && input[pos + 1] !== '\n') advance(2)
          else if (d === undefined || d === '\n') {
            fail('unterminated character constant')
            return items
          } else if (d === "'") break
          else advance(1)
        }
        advance(1)
        emit('charConstant')
      } else if (c === '$') {
        advance(1)
        while (isAlnum(input[pos])) advance(1)
        emit('variable')
      } else if (c === '.' && !/[0-9]/.test(input[pos + 1] ?? '')) {
        advance(1)
        if (!isAlnum(input[pos])) emit('dot')
        else {
          while (isAlnum(input[pos])) advance(1)
          emit('field')
        }
      } else if (c === '+' || c === '-' || /[0-9.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[oObB][0-7_]+|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?/.exec(input.slice(pos))!
        advance(m[0].length)
        // a number may not run into letters or digits: Go reports it with the next character
        if (isAlnum(input[pos])) {
          advance(1)
          fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`)
          return items
        }
        emit('number')
      } else if (isAlnum(c)) {
        while (isAlnum(input[pos])) advance(1)
        const word = input.slice(start, pos)
        if (keywords.has(word)) emit(word as ItemType)
        else if (word === 'true' || word === 'false') emit('bool')
        else emit('identifier')
      } else if (c === '(') {
        advance(1)
        parenDepth++
        emit('leftParen')
      } else if (c === ')') {
        advance(1)
        parenDepth--
        if (parenDepth < 0) {
          fail(`unexpected right paren`)
          return items
        }
        emit('rightParen')
      } else if (c === ',') {
        advance(1)
        emit('char')
      } else {
        fail(`unrecognized character in action: ${goRuneU(c)}`)
        return items
      }
    }
  }
}

/** Go's `%#U` of a character: U+0021 '!'. */
function goRuneU(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`
}

// ---------------------------------------------------------------------------------------------
// parser

/** Go's strconv.Unquote of a double-quoted, back-quoted or single-quoted literal. */
function unquote(s: string): string {
  if (s.startsWith('`')) return s.slice(1, -1)
  const body = s.slice(1, -1)
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n'
      case 't': return '\t'
      case 'r': return '\r'
      case 'a': return '\x07'
      case 'b': return '\b'
      case 'f': return '\f'
      case 'v': return '\v'
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16))
      case 'u':
      case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16))
      default:
        if (/[0-7]/.test(e[0]!)) return String.fromCharCode(parseInt(e, 8))
        return e
    }
  })
}

function itemText(it: Item): string {
  if (it.typ === 'eof') return 'EOF'
  if (it.typ === 'error') return it.val
  if (keywords.has(it.typ) && it.typ !== 'nil') return `<${it.val}>`
  const q = JSON.stringify(it.val)
  return it.val.length > 10 ? `${JSON.stringify(it.val.slice(0, 10))}...` : q
}

export function parseTemplate(name: string, text: string, funcs: ReadonlySet<string>): Template {
  const items = lex(text)
  let i = 0
  let vars: string[] = ['$']
  let rangeDepth = 0
  let actionLine = 0
  const defined = new Map<string, Node[]>()
  const current = () => items[Math.min(i, items.length) - 1] ?? items[0]!
  const errorf = (msg: string, line = current().line): never => {
    throw new TemplateParseError(`template: ${name}:${line}: ${msg}`)
  }
  const next = () => items[i++] ?? items[items.length - 1]!
  const backup = () => i--
  const peek = () => items[i] ?? items[items.length - 1]!
  const nextNonSpace = () => {
    let it = next()
    while (it.typ === 'space') it = next()
    return it
  }
  const peekNonSpace = () => {
    const it = nextNonSpace()
    backup()
    return it
  }
  const unexpected = (it: Item, context: string): never => {
    if (it.typ === 'error') {
      let extra = ''
      if (actionLine !== 0 && actionLine !== it.line) {
        extra = ` in ${context}`
        if (it.val.endsWith(' action')) extra = extra.slice(4)
      }
      return errorf(`${it.val}${extra}`, it.line)
    }
    return errorf(`unexpected ${itemText(it)} in ${context}`, it.line)
  }
  const expect = (typ: ItemType, context: string) => {
    const it = nextNonSpace()
    if (it.typ !== typ) unexpected(it, context)
    return it
  }

  const term = (): Arg | undefined => {
    const it = nextNonSpace()
    switch (it.typ) {
      case 'identifier':
        if (!funcs.has(it.val)) errorf(`function ${JSON.stringify(it.val)} not defined`, it.line)
        return {t: 'identifier', pos: it.pos, name: it.val}
      case 'dot':
        return {t: 'dot', pos: it.pos}
      case 'nil':
        return {t: 'nil', pos: it.pos}
      case 'variable': {
        if (!vars.includes(it.val)) errorf(`undefined variable ${JSON.stringify(it.val)}`, it.line)
        return {t: 'variable', pos: it.pos, ident: [it.val]}
      }
      case 'field':
        return {t: 'field', pos: it.pos, ident: [it.val.slice(1)]}
      case 'bool':
        return {t: 'bool', pos: it.pos, value: it.val === 'true'}
      case 'charConstant': {
        const ch = unquote(it.val)
        return {t: 'number', pos: it.pos, text: it.val, isInt: true, value: ch.codePointAt(0) ?? 0}
      }
      case 'number':
        return numberNode(it)
      case 'leftParen':
        return pipeline('parenthesized pipeline', 'rightParen')
      case 'string':
      case 'rawString':
        return {t: 'string', pos: it.pos, quoted: it.val, text: unquote(it.val)}
    }
    backup()
    return undefined
  }

  const numberNode = (it: Item): Arg => {
    const raw = it.val.replaceAll('_', '')
    if (raw.endsWith('i')) return errorf(`illegal number syntax: ${JSON.stringify(it.val)}`, it.line)
    const isInt = /^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(raw)
    let value: number
    if (isInt) {
      const sign = raw.startsWith('-') ? -1 : 1
      const digits = raw.replace(/^[+-]/, '')
      value = sign * Number(/^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : /^0[oO]/.test(digits) ? parseInt(digits.slice(2), 8) : Number(digits))
    } else value = Number(raw)
    if (Number.isNaN(value)) return errorf(`illegal number syntax: ${JSON.stringify(it.val)}`, it.line)
    return {t: 'number', pos: it.pos, text: it.val, isInt, value}
  }

  const operand = (): Arg | undefined => {
    const node = term()
    if (node === undefined) return undefined
    if (peek().typ !== 'field') return node
    const fields: string[] = []
    const chainPos = peek().pos
    while (peek().typ === 'field') fields.push(next().val.slice(1))
    switch (node.t) {
      case 'field':
        return {t: 'field', pos: chainPos, ident: [...node.ident, ...fields]}
      case 'variable':
        return {t: 'variable', pos: chainPos, ident: [...node.ident, ...fields]}
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return errorf(`unexpected . after term ${JSON.stringify(argString(node))}`)
      default:
        return {t: 'chain', pos: chainPos, node, fields}
    }
  }

  const command = (): Command => {
    const cmd: Command = {pos: peekNonSpace().pos, args: []}
    for (;;) {
      peekNonSpace()
      const op = operand()
      if (op !== undefined) cmd.args.push(op)
      const it = next()
      if (it.typ === 'space') continue
      if (it.typ === 'rightDelim' || it.typ === 'rightParen') backup()
      else if (it.typ !== 'pipe') unexpected(it, 'operand')
      break
    }
    if (cmd.args.length === 0) errorf('empty command')
    return cmd
  }

  const pipeline = (context: string, end: 'rightDelim' | 'rightParen'): Pipe => {
    const pipe: Pipe = {t: 'pipe', pos: peekNonSpace().pos, isAssign: false, decl: [], cmds: []}
    // declarations: $x := / $x = / $i, $v := (range only)
    for (;;) {
      const save = i
      const v = nextNonSpace()
      if (v.typ !== 'variable') {
        i = save
        break
      }
      const op = nextNonSpace()
      if (op.typ === 'assign' || op.typ === 'declare') {
        pipe.isAssign = op.typ === 'assign'
        pipe.decl.push(v.val)
        vars.push(v.val)
        break
      }
      if (op.typ === 'char' && op.val === ',') {
        pipe.decl.push(v.val)
        vars.push(v.val)
        if (context === 'range' && pipe.decl.length < 2) {
          const p = peekNonSpace().typ
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue
          errorf('range can only initialize variables')
        }
        errorf(`too many declarations in ${context}`)
      }
      // `$x foo`: the variable is an argument, not a declaration
      i = save
      break
    }
    for (;;) {
      const it = nextNonSpace()
      if (it.typ === end) {
        if (pipe.cmds.length === 0) errorf(`missing value for ${context}`)
        for (let k = 1; k < pipe.cmds.length; k++) {
          const first = pipe.cmds[k]!.args[0]!
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(first.t)) errorf(`non executable command in pipeline stage ${k + 1}`)
        }
        return pipe
      }
      if (['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen'].includes(it.typ)) {
        backup()
        pipe.cmds.push(command())
      } else unexpected(it, context)
    }
  }

  type Ended = {kind: 'end' | 'else'; pos: number}

  const itemList = (): {list: Node[]; ended: Ended} => {
    const list: Node[] = []
    for (;;) {
      if (peekNonSpace().typ === 'eof') errorf('unexpected EOF')
      const n = textOrAction()
      if ('kind' in n) return {list, ended: n}
      list.push(n)
    }
  }

  const control = (kind: 'if' | 'range' | 'with', pos: number): Node => {
    const saved = vars.length
    if (kind === 'range') rangeDepth++
    const pipe = pipeline(kind, 'rightDelim')
    const {list, ended} = itemList()
    if (kind === 'range') rangeDepth--
    let elseList: Node[] | undefined
    if (ended.kind === 'else') {
      // `{{else if ...}}` and `{{else with ...}}` nest a new control in the else branch
      if ((kind === 'if' && peek().typ === 'if') || (kind === 'with' && peek().typ === 'with')) {
        const it = next()
        elseList = [control(kind, it.pos)]
      } else {
        const rest = itemList()
        if (rest.ended.kind !== 'end') errorf('expected end; found {{else}}')
        elseList = rest.list
      }
    }
    vars = vars.slice(0, saved)
    return {t: kind, pos, pipe, list, elseList}
  }

  const templateName = (context: string): string => {
    const it = nextNonSpace()
    if (it.typ !== 'string' && it.typ !== 'rawString') unexpected(it, context)
    return unquote(it.val)
  }

  /** One text or action; `{kind}` for {{end}} and {{else}}. */
  const textOrAction = (): Node | Ended => {
    const it = nextNonSpace()
    if (it.typ === 'text') return {t: 'text', pos: it.pos, text: it.val}
    if (it.typ !== 'leftDelim') return unexpected(it, 'input')
    actionLine = it.line
    const a = nextNonSpace()
    switch (a.typ) {
      case 'end':
        expect('rightDelim', 'end')
        return {kind: 'end', pos: a.pos}
      case 'else': {
        // `{{else if` / `{{else with`: the keyword stays for the control to read
        const p = peekNonSpace()
        if (p.typ === 'if' || p.typ === 'with') {
          nextNonSpace()
          backup()
          return {kind: 'else', pos: a.pos}
        }
        expect('rightDelim', 'else')
        return {kind: 'else', pos: a.pos}
      }
      case 'if':
      case 'range':
      case 'with':
        return control(a.typ, a.pos)
      case 'break':
      case 'continue':
        if (rangeDepth === 0) errorf(`{{${a.typ}}} outside {{range}}`)
        expect('rightDelim', a.typ)
        return {t: a.typ, pos: a.pos}
      case 'template':
      case 'block': {
        // Go places a template node at its name
        const namePos = peekNonSpace().pos
        const tname = templateName(`${a.typ} clause`)
        let pipe: Pipe | undefined
        if (peekNonSpace().typ !== 'rightDelim') pipe = pipeline(`${a.typ} clause`, 'rightDelim')
        else nextNonSpace()
        if (a.typ === 'block') {
          const {list, ended} = itemList()
          if (ended.kind !== 'end') errorf('unexpected {{else}} in block clause')
          defined.set(tname, list)
        }
        return {t: 'template', pos: a.pos, name: tname, pipe, namePos}
      }
      case 'define':
        return errorf('unexpected <define> in command')
    }
    backup()
    return {t: 'action', pos: a.pos, pipe: pipeline('command', 'rightDelim')}
  }

  const root: Node[] = []
  for (;;) {
    const p = peek()
    if (p.typ === 'eof') break
    if (p.typ === 'leftDelim') {
      const after = items[i + 1]?.typ === 'space' ? items[i + 2] : items[i + 1]
      if (after?.typ === 'define') {
        next()
        nextNonSpace()
        const dname = templateName('define clause')
        expect('rightDelim', 'define clause')
        const savedVars = vars
        vars = ['$']
        const {list, ended} = itemList()
        if (ended.kind !== 'end') errorf('unexpected {{else}} in define clause')
        vars = savedVars
        defined.set(dname, list)
        continue
      }
    }
    const n = textOrAction()
    if ('kind' in n) errorf(`unexpected {{${n.kind}}}`)
    else root.push(n)
  }
  // an empty top-level body does not replace a defined one of the same name
  if (!defined.has(name) || root.some((n) => n.t !== 'text' || n.text.trim() !== '')) defined.set(name, root)
  return {name, text, root: defined.get(name)!, defined}
}

/** A node as Go prints it in error contexts. */
export function argString(a: Arg): string {
  switch (a.t) {
    case 'field':
      return a.ident.map((x) => `.${x}`).join('')
    case 'variable':
      return a.ident.join('.')
    case 'identifier':
      return a.name
    case 'dot':
      return '.'
    case 'nil':
      return 'nil'
    case 'bool':
      return String(a.value)
    case 'number':
      return a.text
    case 'string':
      return a.quoted
    case 'chain':
      return (a.node.t === 'pipe' ? `(${argString(a.node)})` : argString(a.node)) + a.fields.map((f) => `.${f}`).join('')
    case 'pipe':
      return (a.decl.length > 0 ? `${a.decl.join(', ')} := ` : '') + a.cmds.map(commandString).join(' | ')
  }
}

export function commandString(c: Command): string {
  return c.args.map((a) => (a.t === 'pipe' ? `(${argString(a)})` : argString(a))).join(' ')
}
