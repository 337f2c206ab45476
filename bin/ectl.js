#!/usr/bin/env node
// Launcher of ectl: everything else is in dist/, built by `npm run build`.
import {main} from '../dist/cli/main.js'

await main('ectl', new URL('..', import.meta.url).pathname.replace(/\/$/, ''))
