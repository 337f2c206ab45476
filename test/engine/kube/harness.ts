// A Kubernetes API server on a fresh embedded engine, served over HTTPS with a generated CA,
// and the real kubectl pointed at it through a kubeconfig in a temp dir.
import {spawn} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import forge from 'node-forge'
import {openEmbedded} from '../../../src/engine/etcd/embedded.js'
import {startRealEtcd} from './real-etcd.js'
import {createApiServer, serveHttps, type RunningApiServer, type CreateApiServerOptions, type ServeOptions} from '../../../src/engine/kube/apiserver/start.js'

export interface CertPair {
  cert: string
  key: string
}

function keyPair(): {publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; pem: string} {
  // 1024-bit keys: the smallest Go's TLS accepts, and several times faster to make than 2048.
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 1024})
  const pem = privateKey.export({type: 'pkcs1', format: 'pem'}).toString()
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey
  return {privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem}
}

let serial = 1
function certificate(subject: forge.pki.CertificateField[], issuer: {cert?: forge.pki.Certificate; key?: forge.pki.PrivateKey}, opts: {ca?: boolean; ips?: string[]}) {
  const keys = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = String(serial++).padStart(2, '0')
  cert.validity.notBefore = new Date(Date.now() - 3600_000)
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  cert.setSubject(subject)
  cert.setIssuer(issuer.cert ? issuer.cert.subject.attributes : subject)
  const ext: object[] = [{name: 'basicConstraints', cA: Boolean(opts.ca)}]
  if (opts.ca) ext.push({name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true})
  else ext.push({name: 'keyUsage', digitalSignature: true, keyEncipherment: true}, {name: 'extKeyUsage', serverAuth: true, clientAuth: true})
  if (opts.ips) ext.push({name: 'subjectAltName', altNames: [...opts.ips.map((ip) => ({type: 7, ip})), {type: 2, value: 'localhost'}]})
  cert.setExtensions(ext)
  cert.sign((issuer.key ?? keys.privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create())
  return {cert, key: keys.privateKey, pair: {cert: forge.pki.certificateToPem(cert), key: keys.pem}}
}

export interface Pki {
  ca: CertPair
  server: CertPair
  client(user: string, groups: string[]): CertPair
}

let memo: Pki | undefined

/** One CA, server and client set per test process (clusters in one file share it). */
export function makePki(): Pki {
  memo ??= newPki()
  return memo
}

function newPki(): Pki {
  const ca = certificate([{name: 'commonName', value: 'test-ca'}], {}, {ca: true})
  const server = certificate([{name: 'commonName', value: 'kube-apiserver'}], {cert: ca.cert, key: ca.key}, {ips: ['127.0.0.1']})
  return {
    ca: ca.pair,
    server: server.pair,
    client: (user, groups) =>
      certificate([{name: 'commonName', value: user}, ...groups.map((g) => ({name: 'organizationName', value: g}))], {cert: ca.cert, key: ca.key}, {}).pair,
  }
}

export interface Cluster {
  dir: string
  api: RunningApiServer
  port: number
  url: string
  pki: Pki
  kubeconfig: string
  kubectl(args: string[], opts?: {stdin?: string; timeoutMs?: number; kubeconfig?: string}): Promise<{code: number | null; stdout: string; stderr: string}>
  /** Writes a kubeconfig for another user (client certificate or token). */
  userKubeconfig(name: string, auth: {cert?: CertPair; token?: string}): string
  close(): Promise<void>
}

/**
 * Starts the server on the embedded engine, or on a real etcd 3.4 when `store` is 'etcd' (or
 * KUBE_TEST_STORE=etcd in the environment, to run every kubectl test against etcd itself).
 */
export async function startCluster(opts: {server?: Partial<CreateApiServerOptions>; serve?: Partial<ServeOptions>; store?: 'embedded' | 'etcd'} = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-api-'))
  const store = opts.store ?? (process.env.KUBE_TEST_STORE === 'etcd' ? 'etcd' : 'embedded')
  const real = store === 'etcd' ? await startRealEtcd() : undefined
  const engine = real ? real.client : await openEmbedded(join(dir, 'data'))
  const api = createApiServer({etcd: engine, ...opts.server})
  await api.start()
  const pki = makePki()
  const serving = await serveHttps(api, {port: 0, host: '127.0.0.1', tls: {key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert}, ...opts.serve})
  const url = `https://127.0.0.1:${serving.port}`
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const userKubeconfig = (name: string, auth: {cert?: CertPair; token?: string}) => {
    const file = join(dir, `kubeconfig-${name}`)
    const user = auth.cert ? `    client-certificate-data: ${b64(auth.cert.cert)}\n    client-key-data: ${b64(auth.cert.key)}\n` : `    token: ${auth.token}\n`
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${b64(pki.ca.cert)}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: ${name}\n    namespace: default\ncurrent-context: test\nusers:\n- name: ${name}\n  user:\n${user}`,
    )
    return file
  }
  const kubeconfig = userKubeconfig('admin', {cert: pki.client('admin', ['system:masters'])})
  const kubectl: Cluster['kubectl'] = (args, kopts = {}) =>
    new Promise((resolve) => {
      const child = spawn('kubectl', ['--kubeconfig', kopts.kubeconfig ?? kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, HOME: dir}})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c) => (stdout += c))
      child.stderr.on('data', (c) => (stderr += c))
      const timer = setTimeout(() => child.kill('SIGTERM'), kopts.timeoutMs ?? 60_000)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({code, stdout, stderr})
      })
      child.stdin.end(kopts.stdin ?? '')
    })
  return {
    dir,
    api,
    port: serving.port,
    url,
    pki,
    kubeconfig,
    kubectl,
    userKubeconfig,
    close: async () => {
      await serving.close()
      await api.close()
      await engine.close()
      await real?.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
