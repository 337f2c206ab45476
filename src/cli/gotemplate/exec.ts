// Executes a parsed Go text/template over decoded JSON as Go's text/template does: fields of
// maps (a missing key is `<no value>` with missingkey=default, an error with missingkey=error),
// variables and their scopes, if / range / with with their else branches, break and continue,
// named templates, and the builtin functions (and, or, not, len, index, slice, print, printf,
// println, eq, ne, lt, le, gt, ge, html, js, urlquery, call) plus whatever the caller adds. Output is written as it is
// produced, so a failure leaves what came before it, as Go's writer would. Errors carry Go's
// `template: NAME:LINE:COL: executing "NAME" at <node>: message`.
import {printable} from '../go-format.js'
import {argString, commandString, parseTemplate, type Arg, type Command, type Node, type Pipe, type Template} from './parse.js'
import {GoInt, goPrint, goSprint, goSprintf, goTypeName, isMap, type Value} from './values.js'

export class TemplateExecError extends Error {}

/** A function callable from templates: gets evaluated arguments, returns a value or throws. */
export type TemplateFunc = (...args: Value[]) => Value

export interface ExecOptions {
  /** missingkey=error: a missing map key fails instead of printing `<no value>` */
  missingKeyError?: boolean
}

class Break {}
class Continue {}

/** Go truth: false, 0, nil, empty string, list and map are false. */
export function truth(v: Value): boolean {
  if (v === undefined || v === null) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (v instanceof GoInt) return v.value !== 0
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0
  return Object.keys(v).length > 0
}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other'

function basicKind(v: Value): Kind {
  if (v === undefined || v === null) return 'invalid'
  if (typeof v === 'boolean') return 'bool'
  if (v instanceof GoInt) return 'int'
  if (typeof v === 'number') return 'float'
  if (typeof v === 'string') return 'string'
  return 'other'
}

const num = (v: Value) => (v instanceof GoInt ? v.value : (v as number | string))

function eq(a: Value, ...others: Value[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison')
  const k1 = basicKind(a)
  for (const b of others) {
    const k2 = basicKind(b)
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison')
      continue
    }
    if (k1 === 'other') throw new Error(`non-comparable type ${goPrint(a)}: ${goTypeName(a)}`)
    if (k1 === 'invalid' || num(a) === num(b)) return true
  }
  return false
}

function lt(a: Value, b: Value): boolean {
  const k1 = basicKind(a)
  const k2 = basicKind(b)
  if (k1 === 'invalid' || k1 === 'other' || k1 === 'bool' || k2 === 'invalid' || k2 === 'other' || k2 === 'bool') throw new Error('invalid type for comparison')
  if (k1 !== k2) throw new Error('incompatible types for comparison')
  return num(a) < num(b)
}

function length(v: Value): Value {
  if (v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value')
  if (v === null) throw new Error('len of nil pointer')
  if (typeof v === 'string') return new GoInt(Buffer.byteLength(v))
  if (Array.isArray(v)) return new GoInt(v.length)
  if (isMap(v)) return new GoInt(Object.keys(v).length)
  throw new Error(`len of type ${goTypeName(v)}`)
}

function indexOf(item: Value, ...keys: Value[]): Value {
  let cur = item
  for (const key of keys) {
    if (cur === undefined || cur === null) throw new Error('index of untyped nil')
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (!(key instanceof GoInt)) throw new Error(`cannot index slice/array with type ${goTypeName(key)}`)
      const len = typeof cur === 'string' ? Buffer.byteLength(cur) : cur.length
      if (key.value < 0 || key.value >= len) throw new Error(`index out of range: ${key.value}`)
      cur = typeof cur === 'string' ? new GoInt(Buffer.from(cur)[key.value]!) : cur[key.value]
    } else if (isMap(cur)) {
      if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`)
      // a missing key gives the zero value, a nil interface
      cur = Object.hasOwn(cur, key) ? cur[key] : null
    } else throw new Error(`can't index item of type ${goTypeName(cur)}`)
  }
  return cur
}

function sliceOf(item: Value, ...bounds: Value[]): Value {
  if (item === undefined || item === null) throw new Error('slice of untyped nil')
  if (bounds.length > 3) throw new Error(`too many slice indexes: ${bounds.length}`)
  if (typeof item === 'string' && bounds.length === 3) throw new Error('cannot 3-index slice a string')
  const len = typeof item === 'string' ? Buffer.byteLength(item) : Array.isArray(item) ? item.length : -1
  if (len < 0) throw new Error(`can't slice item of type ${goTypeName(item)}`)
  // each index in turn must lie in [0, len] (a decoded slice's capacity is its length)
  const idx = [0, len, len]
  bounds.forEach((b, i) => {
    if (b === undefined || b === null) throw new Error('cannot index slice/array with nil')
    if (!(b instanceof GoInt)) throw new Error(`cannot index slice/array with type ${goTypeName(b)}`)
    if (b.value < 0 || b.value > len) throw new Error(`index out of range: ${b.value}`)
    idx[i] = b.value
  })
  const [lo, hi, max] = idx as [number, number, number]
  if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`)
  if (bounds.length === 3 && hi > max) throw new Error(`invalid slice index: ${hi} > ${max}`)
  return typeof item === 'string' ? Buffer.from(item).subarray(lo, hi).toString() : (item as Value[]).slice(lo, hi)
}

/**
 * The text the escaping functions work on (Go's evalArgs): a lone string as it is, anything
 * else printed as `print` would, with an absent value as `<no value>`.
 */
function argsText(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0]
  return goSprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)))
}

const HTML_ESCAPES: Record<string, string> = {'"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD'}

/** Go's template.HTMLEscapeString. */
function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c]!)
}

const JS_ESCAPES: Record<string, string> = {'\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D'}

/** Go's template.JSEscapeString: quotes, `<>&=` and control characters escaped; unprintable runes as \uXXXX. */
function jsEscape(s: string): string {
  let out = ''
  for (const c of s) {
    const code = c.codePointAt(0)!
    if (JS_ESCAPES[c] !== undefined) out += JS_ESCAPES[c]
    else if (code < 0x20) out += `\\u00${code.toString(16).toUpperCase().padStart(2, '0')}`
    else if (code < 0x80 || printable(c)) out += c
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return out
}

/** Go's url.QueryEscape: all but letters, digits and `-_.~` as %XX of their UTF-8 bytes; a space as `+`. */
function queryEscape(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The functions every template has (and, or and call are handled by the executor). */
const builtins: Record<string, TemplateFunc> = {
  not: (v) => !truth(v),
  len: length,
  index: indexOf,
  slice: sliceOf,
  print: (...a) => goSprint(a),
  printf: (format, ...a) => goSprintf(String(format), a),
  println: (...a) => a.map((x) => goPrint(x)).join(' ') + '\n',
  eq,
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => lt(a, b),
  le: (a, b) => lt(a, b) || eq(a, b),
  gt: (a, b) => !lt(a, b) && !eq(a, b),
  ge: (a, b) => !lt(a, b),
  html: (...a) => htmlEscape(argsText(a)),
  js: (...a) => jsEscape(argsText(a)),
  urlquery: (...a) => queryEscape(argsText(a)),
}

/** How many arguments each builtin takes: [count, or at least that many]. */
const arity: Record<string, [number, boolean]> = {
  not: [1, false],
  len: [1, false],
  index: [1, true],
  slice: [1, true],
  printf: [1, true],
  eq: [1, true],
  ne: [2, false],
  lt: [2, false],
  le: [2, false],
  gt: [2, false],
  ge: [2, false],
  call: [1, true],
}

/** Functions whose string parameters Go checks before calling (the rest take any value). */
const stringParams: Record<string, number[]> = {printf: [0]}

export function builtinNames(extra: Iterable<string> = []): Set<string> {
  return new Set([...Object.keys(builtins), 'and', 'or', 'call', ...extra])
}

interface Frame {
  name: string
  value: Value
}

class State {
  private vars: Frame[] = []
  private node: {pos: number; ctx: string} | undefined
  private depth = 0

  constructor(
    private readonly tmpl: Template,
    private readonly funcs: Record<string, TemplateFunc>,
    private readonly stringArgs: Record<string, number[]>,
    private readonly opts: ExecOptions,
    readonly write: (s: string) => void,
  ) {}

  private at(pos: number, ctx: string) {
    this.node = {pos, ctx}
  }

  /** the defined template being executed, when not the main one */
  private executing: string | undefined

  errorf(msg: string): never {
    const name = this.tmpl.name
    if (this.node === undefined) throw new TemplateExecError(`template: ${name}: ${msg}`)
    const before = this.tmpl.text.slice(0, this.node.pos)
    const nl = before.lastIndexOf('\n')
    const line = before.split('\n').length
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1))
    throw new TemplateExecError(`template: ${name}:${line}:${col}: executing ${JSON.stringify(this.executing ?? name)} at <${this.node.ctx}>: ${msg}`)
  }

  run(list: Node[], dot: Value): void {
    this.vars.push({name: '$', value: dot})
    this.walkList(list, dot)
  }

  private walkList(list: Node[], dot: Value): void {
    for (const n of list) this.walk(n, dot)
  }

  private walk(n: Node, dot: Value): void {
    switch (n.t) {
      case 'text':
        this.write(n.text)
        return
      case 'action': {
        const v = this.evalPipeline(dot, n.pipe)
        // a declaration here lives to the end of the enclosing block
        if (n.pipe.decl.length === 0) this.write(this.printable(v))
        return
      }
      case 'if':
      case 'with': {
        const saved = this.vars.length
        const v = this.evalPipeline(dot, n.pipe)
        if (truth(v)) this.walkList(n.list, n.t === 'with' ? v : dot)
        else if (n.elseList) this.walkList(n.elseList, dot)
        this.vars.length = saved
        return
      }
      case 'range':
        this.walkRange(n, dot)
        return
      case 'break':
        throw new Break()
      case 'continue':
        throw new Continue()
      case 'template': {
        const body = this.tmpl.defined.get(n.name)
        this.at(n.namePos, `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${argString(n.pipe)}` : ''}}}`)
        if (body === undefined) this.errorf(`template ${JSON.stringify(n.name)} not defined`)
        if (++this.depth > 100_000) this.errorf('exceeded maximum template depth (100000)')
        const newDot = n.pipe ? this.evalPipeline(dot, n.pipe) : undefined
        const saved = this.vars
        const savedName = this.executing
        this.vars = [{name: '$', value: newDot}]
        // errors inside name the template being executed (their position stays in the source)
        this.executing = n.name
        try {
          this.walkList(body, newDot)
        } finally {
          this.executing = savedName
          this.vars = saved
          this.depth--
        }
        return
      }
    }
  }

  private walkRange(n: Extract<Node, {t: 'if' | 'range' | 'with'}>, dot: Value): void {
    const saved = this.vars.length
    this.at(n.pos, `range ${argString(n.pipe)}`)
    const v = this.evalPipeline(dot, n.pipe)
    // the declared variables are set on every iteration, not by the pipeline
    this.vars.length = saved
    const one = (key: Value, elem: Value): boolean => {
      if (n.pipe.decl.length > 0) {
        if (n.pipe.isAssign) {
          if (n.pipe.decl.length > 1) {
            this.setVar(n.pipe.decl[0]!, key)
            this.setVar(n.pipe.decl[1]!, elem)
          } else this.setVar(n.pipe.decl[0]!, elem)
        } else if (n.pipe.decl.length > 1) {
          this.vars.push({name: n.pipe.decl[0]!, value: key}, {name: n.pipe.decl[1]!, value: elem})
        } else this.vars.push({name: n.pipe.decl[0]!, value: elem})
      }
      try {
        this.walkList(n.list, elem)
      } catch (err) {
        if (err instanceof Break) return false
        if (!(err instanceof Continue)) throw err
      } finally {
        this.vars.length = saved
      }
      return true
    }
    let any = false
    if (Array.isArray(v)) {
      for (const [i, e] of v.entries()) {
        any = true
        if (!one(new GoInt(i), e)) break
      }
    } else if (isMap(v)) {
      for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        any = true
        if (!one(k, v[k])) break
      }
    } else if (v !== undefined && v !== null) {
      // the error names the node evaluated last, as Go's does
      this.errorf(`range can't iterate over ${goPrint(v)}`)
    }
    if (!any && n.elseList) this.walkList(n.elseList, dot)
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value
        return
      }
    }
    this.errorf(`undefined variable: ${name}`)
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value
    return this.errorf(`undefined variable: ${name}`)
  }

  private printable(v: Value): string {
    if (v === undefined) return '<no value>'
    return goPrint(v)
  }

  evalPipeline(dot: Value, pipe: Pipe): Value {
    this.at(pipe.pos, argString(pipe))
    let value: Value = undefined
    let final = false
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, final, value)
      final = true
      // an interface holding nil is no value at all once it leaves a command
      if (value === null) value = undefined
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value)
      else this.vars.push({name, value})
    }
    return value
  }

  private notAFunction(args: Arg[], hasFinal: boolean): void {
    if (args.length > 1 || hasFinal) this.errorf(`can't give argument to non-function ${argString(args[0]!)}`)
  }

  private evalCommand(dot: Value, cmd: Command, hasFinal: boolean, final: Value): Value {
    const first = cmd.args[0]!
    switch (first.t) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, hasFinal)
      case 'chain': {
        this.at(first.pos, argString(first))
        const base = this.evalArgValue(dot, first.node)
        return this.evalFieldChain(dot, base, first, first.fields, cmd.args, hasFinal)
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, cmd, hasFinal, final)
      case 'pipe':
        this.notAFunction(cmd.args, hasFinal)
        return this.evalPipeline(dot, first)
      case 'variable': {
        this.at(first.pos, argString(first))
        const v = this.varValue(first.ident[0]!)
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, hasFinal)
          return v
        }
        return this.evalFieldChain(dot, v, first, first.ident.slice(1), cmd.args, hasFinal)
      }
    }
    this.at(first.pos, argString(first))
    this.notAFunction(cmd.args, hasFinal)
    switch (first.t) {
      case 'bool':
        return first.value
      case 'dot':
        return dot
      case 'nil':
        return this.errorf('nil is not a command')
      case 'number':
        return first.isInt ? new GoInt(first.value) : first.value
      case 'string':
        return first.text
    }
  }

  private evalFieldChain(dot: Value, receiver: Value, node: Arg, ident: string[], args: Arg[], hasFinal: boolean): Value {
    this.at(node.pos, argString(node))
    let cur = receiver
    for (let i = 0; i < ident.length; i++) cur = this.evalField(ident[i]!, cur, i === ident.length - 1 ? args.length > 1 || hasFinal : false)
    return cur
  }

  private evalField(name: string, receiver: Value, hasArgs: boolean): Value {
    if (receiver === undefined) {
      if (this.opts.missingKeyError) this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`)
      return undefined
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`)
    if (isMap(receiver)) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`)
      if (!Object.hasOwn(receiver, name)) {
        if (this.opts.missingKeyError) this.errorf(`map has no entry for key ${JSON.stringify(name)}`)
        return undefined
      }
      return receiver[name]
    }
    return this.errorf(`can't evaluate field ${name} in type interface {}`)
  }

  /** An argument's value (a pipeline, field, constant...), for function calls and chains. */
  private evalArgValue(dot: Value, a: Arg): Value {
    this.at(a.pos, argString(a))
    switch (a.t) {
      case 'dot':
        return dot
      case 'nil':
        return null
      case 'bool':
        return a.value
      case 'number':
        return a.isInt ? new GoInt(a.value) : a.value
      case 'string':
        return a.text
      case 'field':
        return this.evalFieldChain(dot, dot, a, a.ident, [a], false)
      case 'variable': {
        const v = this.varValue(a.ident[0]!)
        return a.ident.length === 1 ? v : this.evalFieldChain(dot, v, a, a.ident.slice(1), [a], false)
      }
      case 'pipe':
        return this.evalPipeline(dot, a)
      case 'chain':
        return this.evalFieldChain(dot, this.evalArgValue(dot, a.node), a, a.fields, [a], false)
      case 'identifier':
        return this.evalFunction(dot, a.name, {pos: a.pos, args: [a]}, false, undefined)
    }
  }

  private evalFunction(dot: Value, name: string, cmd: Command, hasFinal: boolean, final: Value): Value {
    const argNodes = cmd.args.slice(1)
    const ctx = commandString(cmd)
    if (name === 'and' || name === 'or') {
      // evaluated lazily: the first argument that decides is the result
      const all = [...argNodes.map((a) => () => this.evalArgValue(dot, a)), ...(hasFinal ? [() => final] : [])]
      if (all.length === 0) {
        this.at(cmd.pos, ctx)
        this.errorf(`wrong number of args for ${name}: want at least 1 got 0`)
      }
      let v: Value = undefined
      for (const get of all) {
        v = get()
        if (truth(v) === (name === 'or')) return v
      }
      return v
    }
    const fn = name === 'call' ? callOf(argNodes[0]) : (this.funcs[name] ?? builtins[name])
    if (fn === undefined) {
      this.at(cmd.pos, ctx)
      return this.errorf(`${JSON.stringify(name)} is not a defined function`)
    }
    const given = argNodes.length + (hasFinal ? 1 : 0)
    const [min, variadic] = arity[name] ?? [0, true]
    if (given < min || (!variadic && given > min)) {
      // Go reports a wrong count at the function's name
      this.at(cmd.pos, name)
      this.errorf(`wrong number of args for ${name}: want ${variadic ? 'at least ' : ''}${min} got ${given}`)
    }
    const args = argNodes.map((a, i) => {
      // a nil constant reaches len as no value at all, as Go's reflect.Value parameter gets it
      if (a.t === 'nil' && name === 'len') return undefined
      const v = this.evalArgValue(dot, a)
      if (this.stringArgs[name]?.includes(i) || stringParams[name]?.includes(i)) {
        if (v === undefined || v === null) this.errorf('invalid value; expected string')
        if (typeof v !== 'string') this.errorf(`wrong type for value; expected string; got ${goTypeName(v)}`)
      }
      return v
    })
    if (hasFinal) args.push(final)
    this.at(cmd.pos, ctx)
    try {
      return fn(...args)
    } catch (err) {
      if (err instanceof TemplateExecError) throw err
      return this.errorf(`error calling ${name}: ${(err as Error).message}`)
    }
  }
}

/**
 * `call FN ARGS...`: decoded JSON holds no functions, so what it is given is never callable,
 * and it fails as Go's does, naming the argument as written.
 */
function callOf(fnNode: Arg | undefined): TemplateFunc {
  return (fn) => {
    if (fn === undefined || fn === null) throw new Error('call of nil')
    throw new Error(`non-function ${fnNode === undefined ? '' : argString(fnNode)} of type ${goTypeName(fn)}`)
  }
}

export interface CompiledTemplate {
  /** Runs the template over `data`, writing as it goes; throws TemplateExecError on a failure. */
  execute(data: Value, write: (s: string) => void): void
}

/**
 * Parses a template with the builtins and `funcs` (parse errors throw TemplateParseError).
 * `stringArgs` names, per function, which argument positions must be strings.
 */
export function compileTemplate(
  name: string,
  text: string,
  funcs: Record<string, TemplateFunc> = {},
  stringArgs: Record<string, number[]> = {},
  opts: ExecOptions = {},
): CompiledTemplate {
  const tmpl = parseTemplate(name, text, builtinNames(Object.keys(funcs)))
  return {
    execute(data, write) {
      new State(tmpl, funcs, stringArgs, opts, write).run(tmpl.root, data)
    },
  }
}
