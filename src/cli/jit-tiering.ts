// How soon V8 compiles a server's hot code with its optimizing compiler.
//
// V8 counts the bytecode a function runs against an "interrupt budget" before it considers
// optimizing it; with Node's default (67,584) a freshly started server runs its request path in
// the interpreter and baseline code for several seconds of load (measured: a member answering
// one caller's puts was still optimizing functions 6 s in, at a third less throughput than once
// warm). A quarter of that budget optimizes the same functions within the first second or two,
// for a little more compiling early on. Only long-running processes (servers) set it; a CLI
// command is over before it would pay off.
import {setFlagsFromString} from 'node:v8'

/** The interrupt budget servers run with (V8's default is 67,584). */
const serverInterruptBudget = 8192

export function optimizeHotPathsSooner(): void {
  // read by V8 each time it sets a function's budget, so functions first run after this use it
  setFlagsFromString(`--interrupt-budget=${serverInterruptBudget}`)
}
