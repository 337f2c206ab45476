// A server optimizes its hot code sooner than V8's default: the same function, called as often,
// is optimized in a process that set the server's budget and not yet in one that did not.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

const tiering = fileURLToPath(new URL('../../src/cli/jit-tiering.ts', import.meta.url))

/** Whether `hot` is optimized after `calls` calls, in a fresh process (sooner: with the server's budget). */
function optimizedAfter(calls: number, sooner: boolean): boolean {
  const probe = `
    const {optimizeHotPathsSooner} = await import(${JSON.stringify(tiering)})
    if (${sooner}) optimizeHotPathsSooner()
    function hot(a) { let s = 0; for (let i = 0; i < 8; i++) s += a * i; return s }
    for (let i = 0; i < ${calls}; i++) hot(i)
    const optimized = () => (eval('%GetOptimizationStatus(hot)') & 16) !== 0
    // the optimizing compiler runs on another thread: give it time on a busy machine
    for (let i = 0; i < 20 && !optimized(); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    process.stdout.write(String(optimized()))`
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', probe], {encoding: 'utf8'})
  return out === 'true'
}

describe('jit tiering for servers', () => {
  it('optimizes a hot function after fewer calls than V8 by default', () => {
    assert.equal(optimizedAfter(150, true), true, 'optimized after 150 calls with the server budget')
    assert.equal(optimizedAfter(150, false), false, 'V8 by default waits longer')
  })
})
