// kubectl's --dry-run values and the suffix its messages get.
import {KctlError} from './errors.js'

export type DryRun = 'none' | 'client' | 'server'

export function parseDryRun(raw: string | undefined): DryRun {
  if (raw === undefined || raw === '' || raw === 'none' || raw === 'false') return 'none'
  if (raw === 'client' || raw === 'unchanged' || raw === 'true') return 'client'
  if (raw === 'server') return 'server'
  throw new KctlError(`Invalid dry-run value (${raw}). Must be "none", "server", or "client".`)
}

export function dryRunSuffix(d: DryRun): string {
  return d === 'client' ? ' (dry run)' : d === 'server' ? ' (server dry run)' : ''
}
