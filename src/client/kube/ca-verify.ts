// A server certificate checked against the kubeconfig's CA without OpenSSL's trust store.
//
// Why: in Node 20 the first TLS context that is given a CA (or none) builds the store of
// Node's ~140 bundled root certificates, parsing each one (SecureContext::SetCACert compares
// the context's store with that root store, creating it): ~30-40 ms of one CPU here, more than
// the rest of a `kctl get`. A kubeconfig names its own CA, so those roots are never used.
//
// How: the connection is made with an empty trust store and OpenSSL's verdict ignored, then
// accepted here only when the certificate is one OpenSSL would accept in the common case — the
// server's certificate issued directly by a self-signed CA of the kubeconfig — and only if it
// carries nothing this check does not follow (name or policy constraints, an unknown critical
// extension, an unusual signature algorithm or key). Anything else answers false and the
// caller verifies the usual way, with OpenSSL and `ca`, so what is accepted is never more than
// before and every refusal keeps OpenSSL's words.
import {X509Certificate} from 'node:crypto'
import type {KeyObject} from 'node:crypto'

/** A DER element: its tag and where its content lies, [start, end). */
interface Der {
  tag: number
  start: number
  end: number
}

function readDer(buf: Buffer, offset: number, limit: number): Der {
  if (offset + 2 > limit) throw new Error('truncated DER')
  const tag = buf[offset]!
  let len = buf[offset + 1]!
  let start = offset + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || start + n > limit) throw new Error('bad DER length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!
    start += n
  }
  if (start + len > limit) throw new Error('truncated DER')
  return {tag, start, end: start + len}
}

function children(buf: Buffer, parent: Der): Der[] {
  const out: Der[] = []
  for (let at = parent.start; at < parent.end; ) {
    const d = readDer(buf, at, parent.end)
    out.push(d)
    at = d.end
  }
  return out
}

function oidString(bytes: Buffer): string {
  const parts: number[] = []
  let value = 0
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80)
      else parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

interface Extension {
  oid: string
  critical: boolean
  value: Buffer
}

/** What this check reads from a certificate's DER that X509Certificate does not expose. */
interface CertFacts {
  signatureAlgorithm: string
  extensions: Extension[]
}

function certFacts(raw: Buffer): CertFacts {
  const cert = readDer(raw, 0, raw.length)
  const [tbs, sigAlg] = children(raw, cert)
  if (tbs === undefined || sigAlg === undefined) throw new Error('not a certificate')
  const algOid = children(raw, sigAlg)[0]!
  const extensions: Extension[] = []
  for (const field of children(raw, tbs)) {
    if (field.tag !== 0xa3) continue // [3] extensions
    const list = readDer(raw, field.start, field.end)
    for (const ext of children(raw, list)) {
      const parts = children(raw, ext)
      const oid = oidString(raw.subarray(parts[0]!.start, parts[0]!.end))
      const critical = parts.length === 3 && parts[1]!.tag === 0x01 && raw[parts[1]!.start] !== 0
      const octets = parts[parts.length - 1]!
      extensions.push({oid, critical, value: raw.subarray(octets.start, octets.end)})
    }
  }
  return {signatureAlgorithm: oidString(raw.subarray(algOid.start, algOid.end)), extensions}
}

/** Signatures OpenSSL's default security level and Go both accept. */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4', // ecdsa-with-SHA512
  '1.3.101.112', // Ed25519
])

/** Extensions whose meaning for this check is fully followed (others may not be critical). */
const FOLLOWED_EXTENSIONS = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier (matched by checkIssued)
  '2.5.29.15', // keyUsage
  '2.5.29.19', // basicConstraints (X509Certificate.ca)
  '2.5.29.37', // extKeyUsage
  '2.5.29.17', // subjectAltName (checkServerIdentity)
])

/** Extensions that change what a chain may be: their certificates go to OpenSSL. */
const CONSTRAINING_EXTENSIONS = new Set([
  '2.5.29.30', // nameConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
  '2.16.840.1.113730.1.1', // Netscape certificate type (OpenSSL reads it for the purpose)
])

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0'

function plainExtensions(facts: CertFacts): boolean {
  return facts.extensions.every((e) => !CONSTRAINING_EXTENSIONS.has(e.oid) && (!e.critical || FOLLOWED_EXTENSIONS.has(e.oid)))
}

function strongKey(key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') return (details.modulusLength ?? 0) >= 2048
  if (key.asymmetricKeyType === 'ec') return ['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '')
  return key.asymmetricKeyType === 'ed25519'
}

function currentlyValid(cert: X509Certificate, nowMs: number): boolean {
  const from = Date.parse(cert.validFrom)
  const to = Date.parse(cert.validTo)
  return Number.isFinite(from) && Number.isFinite(to) && from <= nowMs && nowMs <= to
}

/** An EKU list that allows a TLS server (no list allows everything). */
function allowsServerAuth(cert: X509Certificate): boolean {
  const eku = cert.keyUsage as string[] | undefined
  return eku === undefined || eku.includes(SERVER_AUTH) || eku.includes(ANY_EXTENDED_KEY_USAGE)
}

/** OpenSSL's TLS server purpose: a keyUsage, if present, allows signing, key encipherment or agreement. */
function leafKeyUsageAllowsTls(facts: CertFacts): boolean {
  const ku = facts.extensions.find((e) => e.oid === '2.5.29.15')
  if (ku === undefined) return true
  const bits = readDer(ku.value, 0, ku.value.length)
  if (bits.tag !== 0x03 || bits.end - bits.start < 2) return false
  // digitalSignature (0x80), keyEncipherment (0x20), keyAgreement (0x08) of the first byte
  return (ku.value[bits.start + 1]! & 0xa8) !== 0
}

/**
 * The kubeconfig's CA bundle as certificates (its CERTIFICATE blocks that parse, in order). A
 * bundle with none is refused with client-go's words for the first thing that stopped it, as
 * `kubectl` refuses it before connecting: text that is no PEM block, a certificate block that
 * does not parse, or no certificate at all.
 */
export function parseCaBundle(pem: Buffer): X509Certificate[] {
  const text = pem.toString('latin1')
  const blocks = [...text.matchAll(/-----BEGIN ([^-\r\n]*)-----\r?\n[\s\S]*?-----END \1-----(?:\r?\n)?/g)]
  const certs: X509Certificate[] = []
  let problem: string | undefined
  let after = 0
  for (const block of blocks) {
    after = block.index + block[0].length
    if (block[1] !== 'CERTIFICATE') continue
    try {
      certs.push(new X509Certificate(block[0]))
    } catch {
      problem ??= 'failed to parse certificate: x509: malformed certificate'
    }
  }
  if (certs.length > 0) return certs
  if (problem === undefined) problem = blocks.length === 0 || after < text.length ? 'unable to parse bytes as PEM block' : 'no valid certificate authority data seen'
  throw new CaBundleError(`unable to load root certificates: ${problem}`)
}

/** A CA bundle without one usable certificate. */
export class CaBundleError extends Error {}

/**
 * True when `leaf` (the server's certificate, DER) is issued and signed directly by one of
 * `cas`, a self-signed CA certificate, both valid now, with nothing in either this check does
 * not follow. The host name is checked by the caller (tls.checkServerIdentity). False means
 * "not decided here", never "refused".
 */
export function issuedByTrustedCa(leafDer: Buffer, cas: X509Certificate[], nowMs = Date.now()): boolean {
  try {
    const leaf = new X509Certificate(leafDer)
    const leafFacts = certFacts(leaf.raw)
    if (!SIGNATURE_ALGORITHMS.has(leafFacts.signatureAlgorithm) || !plainExtensions(leafFacts)) return false
    if (!currentlyValid(leaf, nowMs) || !strongKey(leaf.publicKey) || !allowsServerAuth(leaf) || !leafKeyUsageAllowsTls(leafFacts)) return false
    for (const ca of cas) {
      if (!leaf.checkIssued(ca) || !ca.ca) continue
      const caFacts = certFacts(ca.raw)
      if (!SIGNATURE_ALGORITHMS.has(caFacts.signatureAlgorithm) || !plainExtensions(caFacts)) continue
      if (!currentlyValid(ca, nowMs) || !strongKey(ca.publicKey) || !allowsServerAuth(ca)) continue
      // OpenSSL's chain must end at a self-signed certificate of the trust store
      if (!ca.checkIssued(ca) || !ca.verify(ca.publicKey)) continue
      if (leaf.verify(ca.publicKey)) return true
    }
    return false
  } catch {
    return false
  }
}
