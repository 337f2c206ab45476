// --peer-crl-file, as etcd checks it: a peer that dials this member with a certificate whose
// serial number the certificate revocation list names is refused. As etcd, only the serial
// numbers are compared (the list's signature and dates are not checked), the list may be PEM or
// DER, and it is read again when the file changes, so a revocation takes effect without a
// restart (etcd reads it on every connection).
import {readFile, stat} from 'node:fs/promises'

/** Serial numbers as etcd prints them: lower-case hex of the minimal big-endian bytes. */
export function serialHex(bytes: Uint8Array): string {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return Buffer.from(bytes.subarray(start)).toString('hex')
}

/** The same for a certificate's serialNumber as Node reports it (upper-case hex). */
export function certSerialHex(serialNumber: string): string {
  return serialHex(Buffer.from(serialNumber.length % 2 === 1 ? `0${serialNumber}` : serialNumber, 'hex'))
}

/** One DER element: its tag and where its contents lie in the buffer. */
interface Element {
  tag: number
  start: number
  end: number
}

function element(der: Buffer, at: number, limit: number): Element {
  if (at + 2 > limit) throw new Error('truncated element')
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new Error('bad length')
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!
    start += bytes
  }
  if (start + length > limit) throw new Error('element overruns its parent')
  return {tag, start, end: start + length}
}

/** The elements inside a constructed element. */
function children(der: Buffer, parent: Element): Element[] {
  const out: Element[] = []
  for (let at = parent.start; at < parent.end; ) {
    const child = element(der, at, parent.end)
    out.push(child)
    at = child.end
  }
  return out
}

const Tag = {integer: 0x02, sequence: 0x30, utcTime: 0x17, generalizedTime: 0x18} as const

/**
 * The revoked serial numbers of an X.509 CRL (RFC 5280 CertificateList), PEM or DER:
 * tbsCertList = version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
 */
export function parseCrl(data: Buffer): Set<string> {
  const pem = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(data.toString('latin1'))
  const der = pem === null ? data : Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64')
  try {
    const list = element(der, 0, der.length)
    if (list.tag !== Tag.sequence) throw new Error('not a sequence')
    const tbs = children(der, list)[0]
    if (tbs?.tag !== Tag.sequence) throw new Error('no tbsCertList')
    const fields = children(der, tbs)
    let i = fields[0]?.tag === Tag.integer ? 1 : 0
    i += 2 // signature algorithm, issuer
    const isTime = (e: Element | undefined) => e !== undefined && (e.tag === Tag.utcTime || e.tag === Tag.generalizedTime)
    if (!isTime(fields[i])) throw new Error('no thisUpdate')
    i++
    if (isTime(fields[i])) i++
    const revoked = new Set<string>()
    const entries = fields[i]
    if (entries?.tag === Tag.sequence) {
      for (const entry of children(der, entries)) {
        const serial = children(der, entry)[0]
        if (entry.tag !== Tag.sequence || serial?.tag !== Tag.integer) throw new Error('bad revoked certificate entry')
        revoked.add(serialHex(der.subarray(serial.start, serial.end)))
      }
    }
    return revoked
  } catch (error) {
    throw new Error(`x509: malformed crl: ${(error as Error).message}`)
  }
}

/** A CRL file, parsed again whenever it changes on disk. */
export class PeerCrl {
  private cached: {mtimeMs: number; size: number; revoked: Set<string>} | undefined

  constructor(readonly file: string) {}

  /** The revoked serials (throws if the file cannot be read or parsed). */
  async revoked(): Promise<Set<string>> {
    const info = await stat(this.file)
    const cached = this.cached
    if (cached !== undefined && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.revoked
    const revoked = parseCrl(await readFile(this.file))
    this.cached = {mtimeMs: info.mtimeMs, size: info.size, revoked}
    return revoked
  }

  /** etcd's refusal for the first of `serials` (hex, as certSerialHex gives them) the list revokes, if any. */
  async refusal(serials: readonly string[]): Promise<string | undefined> {
    const revoked = await this.revoked()
    const hit = serials.find((serial) => revoked.has(serial))
    return hit === undefined ? undefined : `transport: certificate serial ${hit} revoked`
  }
}
