#!/usr/bin/env node
// Launcher of kctl: everything else is in dist/, built by `npm run build`.
// lmdb's msgpack dependency would load a native accelerator we never use (~30 ms).
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true'
const {main} = await import('../dist/cli/main.js')

await main('kctl', new URL('..', import.meta.url).pathname.replace(/\/$/, ''))
