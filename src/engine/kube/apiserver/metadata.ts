// System-owned metadata: what the server sets on create (uid, creationTimestamp, generation,
// generated names) and keeps across updates, and the rules for when generation moves.
import {randomInt, randomUUID} from 'node:crypto'
import {isDeepStrictEqual} from 'node:util'

type Obj = Record<string, unknown>

/** RFC 3339 at second precision, as Kubernetes timestamps are. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** The alphabet and length of apiserver's generateName suffixes (no vowels, no look-alikes). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789'
export function generatedName(base: string): string {
  let suffix = ''
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)]
  const maxBase = 63 - 5
  return (base.length > maxBase ? base.slice(0, maxBase) : base) + suffix
}

/** Kinds whose metadata.generation counts changes to their desired state. */
const generationKinds = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'CustomResourceDefinition',
])

export function tracksGeneration(kind: string, custom: boolean): boolean {
  return custom || generationKinds.has(kind)
}

/** Everything but metadata and status: a change here is a change of desired state. */
function desired(obj: Obj): Obj {
  const {metadata: _m, status: _s, ...rest} = obj
  return rest
}

export function desiredStateChanged(oldObj: Obj, newObj: Obj): boolean {
  return !isDeepStrictEqual(desired(oldObj), desired(newObj))
}

export function initCreateMeta(meta: Obj, now: number, generation: boolean): void {
  meta.uid = randomUUID()
  meta.creationTimestamp = rfc3339(now)
  delete meta.resourceVersion
  delete meta.deletionTimestamp
  delete meta.deletionGracePeriodSeconds
  delete meta.selfLink
  if (generation) meta.generation = 1
  else delete meta.generation
}

/** Fields of metadata only the server writes: kept from the stored object on update. */
const systemFields = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'name', 'namespace']

export function keepSystemMeta(oldMeta: Obj, newMeta: Obj): void {
  for (const f of systemFields) {
    if (oldMeta[f] === undefined) delete newMeta[f]
    else newMeta[f] = oldMeta[f]
  }
  delete newMeta.selfLink
}

/** Equal but for resourceVersion and managedFields timestamps: an update that changes nothing. */
export function sameObject(a: Obj, b: Obj): boolean {
  const strip = (o: Obj) => {
    const meta = {...(o.metadata as Obj)}
    delete meta.resourceVersion
    if (Array.isArray(meta.managedFields)) {
      meta.managedFields = meta.managedFields.map((e: unknown) => {
        if (typeof e !== 'object' || e === null) return e
        const {time: _t, ...rest} = e as Obj
        return rest
      })
    }
    return {...o, metadata: meta}
  }
  return isDeepStrictEqual(strip(a), strip(b))
}
