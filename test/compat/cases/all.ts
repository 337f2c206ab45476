// Every golden script, for tools that walk them all (the reference printer).
import type {Script} from '../harness/script.js'
import {compactionScripts} from './compaction.js'
import {delScripts} from './del.js'
import {errorScripts} from './errors.js'
import {hexScripts} from './hex.js'
import {putGetScripts} from './put-get.js'
import {rangeScripts} from './ranges.js'
import {txnScripts} from './txn.js'

export const allScripts: readonly Script[] = [
  ...putGetScripts,
  ...hexScripts,
  ...rangeScripts,
  ...delScripts,
  ...txnScripts,
  ...compactionScripts,
  ...errorScripts,
]
