// Shorthands for writing golden steps.
import type {Step} from '../harness/script.js'

/** A step with only arguments. */
export const run = (...argv: string[]): Step => ({argv})

/** A step whose stdin carries `stdin`. */
export const feed = (stdin: string | Buffer, ...argv: string[]): Step => ({argv, stdin})

/** A step with extra environment variables. */
export const withEnv = (env: Record<string, string>, ...argv: string[]): Step => ({argv, env})

/** A txn script in etcdctl's non-interactive syntax: compares, blank line, success ops, blank line, failure ops. */
export function txnInput(compares: string[], success: string[], failure: string[]): string {
  return [...compares, '', ...success, '', ...failure, ''].join('\n') + '\n'
}
