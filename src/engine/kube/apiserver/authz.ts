// Who is asking and whether they may: the caller a request is made as, and the authorizer
// interface the server consults before any resource is touched.
import type {ResourceDef} from '../api/registry.js'

export interface Caller {
  user: string
  groups: string[]
  uid?: string
}

export interface ResourceAttributes {
  verb: string
  def: ResourceDef
  namespace?: string
  name?: string
  subresource?: string
}

export interface Authorizer {
  /** Throws 403 Forbidden (a StatusError) when the caller may not. */
  authorize(caller: Caller, attrs: ResourceAttributes): void
  authorizeNonResource(caller: Caller, verb: string, path: string): void
  /** Starts following the policy in the store (the server calls it from its start). */
  start?(subscribe: PolicySource): Promise<void>
  /** Whether the caller may (for SelfSubjectAccessReview). */
  allowed(caller: Caller, attrs: {verb: string; group: string; resource: string; namespace?: string; name?: string; subresource?: string}): {allowed: boolean; reason: string}
}

/** Where an authorizer reads its policy from: the RBAC objects and their changes. */
export interface PolicySource {
  /** Lists a kind's objects, then calls back on every later change (obj undefined: deleted). */
  follow(group: string, kind: string, onChange: (key: string, obj: Record<string, unknown> | undefined) => void): Promise<void>
}
