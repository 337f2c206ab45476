// Service account tokens, as kube-apiserver issues them through the TokenRequest API
// (`kubectl create token <sa>`): RS256 JWTs naming the account, checked on every request
// against the signing key and the account's current uid (a deleted account's tokens stop working).
import {createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject} from 'node:crypto'
import type {Caller} from './authz.js'

export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local'

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

export interface ServiceAccountRef {
  namespace: string
  name: string
  uid: string
}

export class ServiceAccountTokens {
  private keys: {key: KeyObject; publicKey: KeyObject; kid: string} | undefined

  /**
   * `privateKeyPem`: the signing key (kube-apiserver's --service-account-signing-key-file).
   * Without one, a key is made on the first token issued (so start-up pays nothing for it)
   * and its tokens live as long as this server.
   */
  constructor(private readonly privateKeyPem?: string | Buffer) {}

  private get signing(): {key: KeyObject; publicKey: KeyObject; kid: string} {
    if (!this.keys) {
      const key = this.privateKeyPem ? createPrivateKey(this.privateKeyPem) : generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey
      const publicKey = createPublicKey(key)
      this.keys = {key, publicKey, kid: b64url(publicKey.export({type: 'spki', format: 'der'}).subarray(-16))}
    }
    return this.keys
  }

  issue(sa: ServiceAccountRef, opts: {nowMs: number; expirationSeconds: number; audiences?: string[]}): {token: string; expiresAtMs: number} {
    const iat = Math.floor(opts.nowMs / 1000)
    const exp = iat + opts.expirationSeconds
    const header = {alg: 'RS256', kid: this.signing.kid}
    const payload = {
      aud: opts.audiences?.length ? opts.audiences : [serviceAccountIssuer],
      exp,
      iat,
      iss: serviceAccountIssuer,
      jti: randomUUID(),
      'kubernetes.io': {namespace: sa.namespace, serviceaccount: {name: sa.name, uid: sa.uid}},
      nbf: iat,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    }
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
    const signature = sign('sha256', Buffer.from(signingInput), this.signing.key)
    return {token: `${signingInput}.${b64url(signature)}`, expiresAtMs: exp * 1000}
  }

  /** The account a token speaks for, if it is ours, unexpired and well formed. */
  verify(token: string, nowMs: number): (ServiceAccountRef & {caller: Caller}) | undefined {
    const parts = token.split('.')
    if (parts.length !== 3 || (!this.keys && !this.privateKeyPem)) return undefined
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as {alg?: string}
      if (header.alg !== 'RS256') return undefined
      if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.signing.publicKey, Buffer.from(parts[2], 'base64url'))) return undefined
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as {iss?: string; exp?: number; nbf?: number; 'kubernetes.io'?: {namespace?: string; serviceaccount?: {name?: string; uid?: string}}}
      const now = Math.floor(nowMs / 1000)
      if (claims.iss !== serviceAccountIssuer || typeof claims.exp !== 'number' || claims.exp < now || (claims.nbf ?? 0) > now + 60) return undefined
      const k = claims['kubernetes.io']
      const namespace = k?.namespace
      const name = k?.serviceaccount?.name
      const uid = k?.serviceaccount?.uid
      if (!namespace || !name || !uid) return undefined
      return {namespace, name, uid, caller: {user: `system:serviceaccount:${namespace}:${name}`, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`]}}
    } catch {
      return undefined
    }
  }
}
