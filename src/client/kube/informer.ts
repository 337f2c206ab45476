// A reflector in client-go's manner: list a resource (in pages), then watch it from the list's
// resourceVersion, and tell handlers what was added, changed and deleted. A watch that ends is
// reopened from the last version seen; one that is too old (410 Gone) starts over with a list,
// whose differences from what was known are reported as events, so nothing is missed.
import type {KubeClient, KubeObject} from './client.js'
import type {ApiResource} from './discovery.js'
import {KubeApiError} from './errors.js'

export interface InformerHandlers {
  added?(obj: KubeObject): void
  updated?(obj: KubeObject, old: KubeObject): void
  deleted?(obj: KubeObject): void
}

const PAGE_SIZE = 500
/** How long to wait before listing again after a failure. */
const RETRY_MS = 1000
/** A watch is reopened at least this often, as client-go's reflectors do (5-10 minutes). */
const WATCH_TIMEOUT_SECONDS = 300

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

export class Informer {
  /** The objects as last seen, by `namespace/name`. */
  readonly store = new Map<string, KubeObject>()
  private readonly abort = new AbortController()
  private resourceVersion = ''
  private running?: Promise<void>

  constructor(
    private readonly client: KubeClient,
    readonly resource: ApiResource,
    private readonly handlers: InformerHandlers,
    /** Keeps only what the handlers need of each object (the store holds the result). */
    private readonly trim: (o: KubeObject) => KubeObject = (o) => o,
  ) {}

  /** Lists once, then keeps watching in the background; resolves when the first list is in. */
  async start(): Promise<void> {
    await this.list()
    this.running = this.loop()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    await this.running
  }

  private async list(): Promise<void> {
    const seen = new Map<string, KubeObject>()
    let token: string | undefined
    let rv = ''
    do {
      const page = await this.client.list(this.resource, undefined, {limit: PAGE_SIZE, continue: token})
      for (const item of page.items) seen.set(keyOf(item), this.trim(item))
      token = page.metadata.continue
      rv = page.metadata.resourceVersion ?? rv
    } while (token)
    for (const [key, old] of this.store) {
      if (!seen.has(key)) {
        this.store.delete(key)
        this.handlers.deleted?.(old)
      }
    }
    for (const [key, obj] of seen) {
      const old = this.store.get(key)
      this.store.set(key, obj)
      if (!old) this.handlers.added?.(obj)
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.handlers.updated?.(obj, old)
    }
    this.resourceVersion = rv
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.watch()
      } catch (err) {
        if (this.abort.signal.aborted) return
        const gone = err instanceof KubeApiError && err.code === 410
        if (!gone) await sleep(RETRY_MS, this.abort.signal)
        await this.list().catch(() => undefined)
      }
    }
  }

  private async watch(): Promise<void> {
    const events = this.client.watch(this.resource, undefined, {resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS}, this.abort.signal)
    for await (const e of events) {
      if (e.type === 'ERROR') {
        const status = e.object as {code?: number; message?: string}
        throw new KubeApiError(status.code ?? 500, status as never)
      }
      const rv = e.object.metadata?.resourceVersion
      if (rv) this.resourceVersion = rv
      if (e.type === 'BOOKMARK') continue
      const obj = this.trim(e.object)
      const key = keyOf(obj)
      const old = this.store.get(key)
      if (e.type === 'DELETED') {
        this.store.delete(key)
        this.handlers.deleted?.(obj)
      } else {
        this.store.set(key, obj)
        if (old) this.handlers.updated?.(obj, old)
        else this.handlers.added?.(obj)
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, {once: true})
  })
}
