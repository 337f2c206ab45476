// The entry point of the controllers: given a KubeClient (in-process or over HTTPS), starts
// the ones that exist so far — the garbage collector — and returns a handle that stops them,
// or waits until they have nothing left to do.
import type {KubeClient} from '../../../client/kube/client.js'
import {GarbageCollector} from './garbage-collector/collector.js'

export interface RunningControllers {
  garbageCollector: GarbageCollector
  /** Resolves once no controller has work queued or in hand. */
  whenIdle(): Promise<void>
  stop(): Promise<void>
}

export async function startControllers(client: KubeClient): Promise<RunningControllers> {
  const garbageCollector = new GarbageCollector(client)
  await garbageCollector.start()
  return {
    garbageCollector,
    whenIdle: () => garbageCollector.whenIdle(),
    stop: () => garbageCollector.stop(),
  }
}
