// The JavaScript check of a server certificate against the kubeconfig's CA (ca-verify.ts), and
// the transport around it: it accepts the plain case OpenSSL accepts, leaves everything else to
// OpenSSL (same result, same words as before), and never sends a request to a server it did not
// accept.
import assert from 'node:assert/strict'
import {generateKeyPairSync, X509Certificate} from 'node:crypto'
import https from 'node:https'
import net, {type AddressInfo} from 'node:net'
import {after, before, test} from 'node:test'
import {issuedByTrustedCa, parseCaBundle} from '../../../src/client/kube/ca-verify.js'
import {HttpTransport} from '../../../src/client/kube/http-transport.js'
import {makePki, type Pki} from '../../../src/cli/kube/sandbox/pki.js'
import forge from 'node-forge'

const pkiA: Pki = makePki()
const pkiB: Pki = makePki()
const der = (pem: string) => new X509Certificate(pem).raw

/** A server certificate from pki's CA for the names given (DNS names only). */
function serverCertFor(pki: Pki, names: string[]): {cert: string; key: string} {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const key = privateKey.export({type: 'pkcs1', format: 'pem'}).toString()
  const forgeKey = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)
  cert.serialNumber = '01'
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  cert.setSubject([{name: 'commonName', value: names[0]!}])
  const ca = forge.pki.certificateFromPem(pki.caCert)
  cert.setIssuer(ca.subject.attributes)
  cert.setExtensions([
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
    {name: 'extKeyUsage', serverAuth: true},
    {name: 'subjectAltName', altNames: names.map((value) => ({type: 2, value}))},
  ])
  cert.sign(forge.pki.privateKeyFromPem(pki.caKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create())
  return {cert: forge.pki.certificateToPem(cert), key}
}

test('a server certificate issued by the CA is accepted', () => {
  assert.equal(issuedByTrustedCa(der(pkiA.serverCert), parseCaBundle(Buffer.from(pkiA.caCert))), true)
})

test('the issuing CA anywhere in a bundle is found', () => {
  const bundle = Buffer.from(pkiB.caCert + '\n' + pkiA.caCert)
  assert.equal(parseCaBundle(bundle).length, 2)
  assert.equal(issuedByTrustedCa(der(pkiA.serverCert), parseCaBundle(bundle)), true)
})

test('a bundle without one usable certificate is refused with client-go\'s words for what stopped it', () => {
  const refused = (text: string) => {
    try {
      parseCaBundle(Buffer.from(text))
    } catch (err) {
      return (err as Error).message
    }
    return 'accepted'
  }
  const block = (type: string, body: string) => `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`
  assert.equal(refused('hello\n'), 'unable to load root certificates: unable to parse bytes as PEM block')
  assert.equal(refused(block('CERTIFICATE', 'AAAA')), 'unable to load root certificates: failed to parse certificate: x509: malformed certificate')
  assert.equal(refused(block('RSA PRIVATE KEY', 'AAAA')), 'unable to load root certificates: no valid certificate authority data seen')
  assert.equal(refused(block('RSA PRIVATE KEY', 'AAAA') + 'trailing\n'), 'unable to load root certificates: unable to parse bytes as PEM block')
  // one good certificate is enough, as for Go's AppendCertsFromPEM
  assert.equal(parseCaBundle(Buffer.from(block('CERTIFICATE', 'AAAA') + pkiA.caCert)).length, 1)
})

test('another CA, a time outside either validity, a client-only certificate, or not a certificate: not decided here', () => {
  const casA = parseCaBundle(Buffer.from(pkiA.caCert))
  assert.equal(issuedByTrustedCa(der(pkiA.serverCert), parseCaBundle(Buffer.from(pkiB.caCert))), false)
  assert.equal(issuedByTrustedCa(der(pkiA.serverCert), casA, Date.now() + 2 * 365 * 86_400_000), false)
  assert.equal(issuedByTrustedCa(der(pkiA.serverCert), casA, Date.now() - 86_400_000), false)
  // extKeyUsage clientAuth only
  assert.equal(issuedByTrustedCa(der(pkiA.adminCert), casA), false)
  assert.equal(issuedByTrustedCa(Buffer.from('not a certificate'), casA), false)
})

interface Served {
  server: https.Server
  url: string
  requests: number
}

async function serve(pki: {serverCert: string; serverKey: string}): Promise<Served> {
  const served: Served = {server: https.createServer({cert: pki.serverCert, key: pki.serverKey}), url: '', requests: 0}
  served.server.on('request', (_req, res) => {
    served.requests++
    res.end('{"kind":"APIVersions"}')
  })
  await new Promise<void>((resolve) => served.server.listen(0, '127.0.0.1', resolve))
  served.url = `https://127.0.0.1:${(served.server.address() as AddressInfo).port}`
  return served
}

let servedA: Served
before(async () => {
  servedA = await serve(pkiA)
})
after(() => {
  servedA.server.closeAllConnections()
  servedA.server.close()
})

test('the transport talks to a server whose certificate the CA issued', async () => {
  const transport = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiA.caCert)})
  try {
    const res = await transport.request({method: 'GET', path: '/api'})
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), '{"kind":"APIVersions"}')
    // accepted by the JavaScript check, not by OpenSSL after a decline
    assert.notEqual((transport as unknown as {cas: unknown}).cas, undefined)
  } finally {
    await transport.close()
  }
})

test('a server the CA did not issue is refused with the same error as OpenSSL gives, and gets no request', async () => {
  const before = servedA.requests
  const transport = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiB.caCert)})
  const openssl = await new Promise<Error>((resolve) => {
    const agent = new https.Agent({ca: pkiB.caCert})
    https
      .get(`${servedA.url}/api`, {agent}, () => resolve(new Error('accepted')))
      .on('error', (err) => {
        agent.destroy()
        resolve(err)
      })
  })
  try {
    await assert.rejects(transport.request({method: 'GET', path: '/api'}), (err: Error & {causeCode?: string}) => {
      assert.equal(err.name, 'KubeConnectionError')
      assert.equal(err.message, openssl.message)
      assert.equal(err.causeCode, (openssl as NodeJS.ErrnoException).code)
      return true
    })
    assert.equal(servedA.requests, before)
  } finally {
    await transport.close()
  }
})

test('a certificate without the host among its names is refused as Node refuses it, and gets no request', async () => {
  const {cert, key} = serverCertFor(pkiA, ['kube.example'])
  assert.equal(issuedByTrustedCa(der(cert), parseCaBundle(Buffer.from(pkiA.caCert))), true)
  const served = await serve({serverCert: cert, serverKey: key})
  const transport = new HttpTransport({server: served.url, caPem: Buffer.from(pkiA.caCert)})
  try {
    await assert.rejects(transport.request({method: 'GET', path: '/api'}), (err: Error) => {
      assert.equal(err.name, 'KubeConnectionError')
      assert.match(err.message, /^Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/)
      return true
    })
    assert.equal(served.requests, 0)
  } finally {
    await transport.close()
    served.server.closeAllConnections()
    served.server.close()
  }
})

test('a preconnected connection carries the first request: one handshake, one connection', async () => {
  let connections = 0
  const onConnection = () => connections++
  servedA.server.on('secureConnection', onConnection)
  const transport = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiA.caCert)})
  try {
    transport.preconnect()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const res = await transport.request({method: 'GET', path: '/api'})
    assert.equal(res.status, 200)
    const again = await transport.request({method: 'GET', path: '/apis'})
    assert.equal(again.status, 200)
    assert.equal(connections, 1)
  } finally {
    servedA.server.off('secureConnection', onConnection)
    await transport.close()
  }
})

test('a preconnect to a server the CA did not issue changes nothing: the request gets OpenSSL\'s refusal', async () => {
  const before = servedA.requests
  const plain = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiB.caCert)})
  const withoutPreconnect = await plain.request({method: 'GET', path: '/api'}).then(() => new Error('accepted'), (err: Error) => err)
  await plain.close()
  const transport = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiB.caCert)})
  try {
    transport.preconnect()
    await assert.rejects(transport.request({method: 'GET', path: '/api'}), (err: Error) => {
      assert.equal(err.name, 'KubeConnectionError')
      assert.equal(err.message, withoutPreconnect.message)
      return true
    })
    assert.equal(servedA.requests, before)
  } finally {
    await transport.close()
  }
})

test('a preconnect to a port nobody listens on: the request reports the refusal as before', async () => {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const transport = new HttpTransport({server: `https://127.0.0.1:${port}`, caPem: Buffer.from(pkiA.caCert)})
  try {
    transport.preconnect()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await assert.rejects(transport.request({method: 'GET', path: '/api'}), (err: Error & {causeCode?: string}) => {
      assert.equal(err.name, 'KubeConnectionError')
      assert.equal(err.causeCode, 'ECONNREFUSED')
      return true
    })
  } finally {
    await transport.close()
  }
})

test("unary requests on the transport's own connections: chunked and large bodies, request bodies, warnings, one connection, a timeout", async () => {
  let connections = 0
  const server = https.createServer({cert: pkiA.serverCert, key: pkiA.serverKey}, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/big') {
        // no Content-Length: Node's server sends it chunked, in several writes
        for (let i = 0; i < 64; i++) res.write('z'.repeat(50_000))
        res.end()
      } else if (req.url?.startsWith('/echo')) {
        res.setHeader('warning', ['299 - "first"', '299 - "second, with a comma"'])
        res.end(JSON.stringify({method: req.method, url: req.url, type: req.headers['content-type'], host: req.headers.host, body: Buffer.concat(chunks).toString()}))
      }
      // /slow never answers
    })
  })
  server.on('secureConnection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const transport = new HttpTransport({server: `https://127.0.0.1:${port}`, caPem: Buffer.from(pkiA.caCert), timeoutMs: 500})
  try {
    const big = await transport.request({method: 'GET', path: '/big'})
    assert.equal(big.body.length, 64 * 50_000)
    const echoed = await transport.request({method: 'PATCH', path: '/echo', query: {dryRun: 'All', fieldManager: ['a b']}, headers: {'content-type': 'application/merge-patch+json'}, body: Buffer.from('{"x":1}')})
    assert.deepEqual(JSON.parse(Buffer.from(echoed.body).toString()), {method: 'PATCH', url: '/echo?dryRun=All&fieldManager=a+b', type: 'application/merge-patch+json', host: `127.0.0.1:${port}`, body: '{"x":1}'})
    assert.equal(echoed.headers['warning'], '299 - "first", 299 - "second, with a comma"')
    const posted = await transport.request({method: 'POST', path: '/echo'})
    assert.equal(JSON.parse(Buffer.from(posted.body).toString()).body, '')
    assert.equal(connections, 1, 'the requests shared one connection')
    await assert.rejects(transport.request({method: 'GET', path: '/slow'}), (err: Error & {causeCode?: string}) => {
      assert.equal(err.message, 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)')
      assert.equal(err.causeCode, 'ETIMEDOUT')
      return true
    })
    const after = await transport.request({method: 'GET', path: '/echo'})
    assert.equal(after.status, 200)
    await assert.rejects(transport.request({method: 'GET', path: '/echo', headers: {'x-bad': 'a\r\nInjected: yes'}}), /Invalid character in header content/)
  } finally {
    await transport.close()
    server.closeAllConnections()
    server.close()
  }
})

test('a response larger than the limit is refused with the same message as before', async () => {
  const transport = new HttpTransport({server: servedA.url, caPem: Buffer.from(pkiA.caCert), maxResponseBytes: 5})
  try {
    await assert.rejects(transport.request({method: 'GET', path: '/api'}), (err: Error) => {
      assert.equal(err.name, 'KubeConnectionError')
      assert.equal(err.message, 'response larger than 5 bytes')
      return true
    })
  } finally {
    await transport.close()
  }
})
