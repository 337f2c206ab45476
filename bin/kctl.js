#!/usr/bin/env node
// Launcher of kctl: everything else is in dist/, built by `npm run build`.
import {main} from '../dist/cli/main.js'

await main('kctl', new URL('..', import.meta.url).pathname.replace(/\/$/, ''))
