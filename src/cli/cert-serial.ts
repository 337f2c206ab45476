// The serial number of a certificate we make (node-forge takes it as hex).
//
// DER encodes it as an INTEGER in its fewest bytes: a leading zero byte is allowed only before
// a byte with the high bit set. Prefixing random bytes with "0" made that zero byte whenever
// the first random byte was 0x00 (1 in 256), and OpenSSL then refused the certificate
// ("illegal padding").
import {randomBytes} from 'node:crypto'

/** 16 random bytes as hex, positive (high bit clear) and in its minimal form (first byte not zero). */
export function randomSerialHex(): string {
  const bytes = randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f || 1
  return bytes.toString('hex')
}
