#!/usr/bin/env node
// Launcher of kctl: everything else is in dist/, built by `npm run build`: dist/launch.cjs loads
// dist/kctl.cjs through V8's code cache. CommonJS (bin/package.json), so Node starts without
// its ES module loader.
'use strict'
// lmdb's msgpack dependency would load a native accelerator we never use (~30 ms).
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true'
require('../dist/launch.cjs').launch('kctl', require('node:path').dirname(__dirname))
