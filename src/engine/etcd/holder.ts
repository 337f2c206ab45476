// One holder per data dir: the process that binds the data dir's local socket opens the engine
// and serves it to the others for as long as it lives (DESIGN.md "In-process and network").
import {mkdir, realpath} from 'node:fs/promises'
import {createServer} from 'node:net'
import {localSocketAddress} from '../../api/local_rpc.js'
import {serveLocal} from '../net/local_server.js'
import {type EmbeddedEtcd, type EmbeddedOptions, openEmbedded} from './embedded.js'
import {sha256Hex} from './sha256.js'

export interface HeldDataDir {
  engine: EmbeddedEtcd
  /** Stops serving others (answering what they already sent), then closes the engine. */
  release(): Promise<void>
}

export async function dataDirAddress(dataDir: string): Promise<string> {
  await mkdir(dataDir, {recursive: true})
  const real = await realpath(dataDir)
  return localSocketAddress(real, (text) => sha256Hex(text).slice(0, 32))
}

/** Takes the data dir if no live process holds it; `undefined` when another one does. */
export async function tryHoldDataDir(
  dataDir: string,
  options: EmbeddedOptions = {},
  /** Opens the engine once the data dir is held: one member by default, a cluster member for `ectl server --initial-cluster`. */
  open: (dataDir: string, options: EmbeddedOptions) => Promise<EmbeddedEtcd> = openEmbedded,
): Promise<HeldDataDir | undefined> {
  const address = await dataDirAddress(dataDir)
  const server = createServer()
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)))
    server.listen(address, () => resolve(true))
  })
  if (!bound) return undefined
  // The socket must not keep a one-shot command alive after it is done.
  server.unref()
  const opening = open(dataDir, options)
  const local = serveLocal(server, opening)
  let engine: EmbeddedEtcd
  try {
    engine = await opening
  } catch (error) {
    await local.unbind()
    throw error
  }
  return {
    engine,
    async release() {
      await local.close()
      try {
        await engine.close()
      } finally {
        // the lock goes only once the engine is closed: a next holder must find the files at rest
        await local.unbind()
      }
    },
  }
}
