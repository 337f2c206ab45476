// kubectl against a server that authenticates (client certificates, a static token file) and
// authorizes with RBAC; typed kubectl commands that send protobuf bodies; namespace deletion.
import assert from 'node:assert/strict'
import {after, before, test} from 'node:test'
import {parseTokenFile, RbacAuthorizer, tokenAuthenticator} from '../../../src/engine/kube/apiserver/start.js'
import {startCluster, type Cluster} from './harness.js'

let c: Cluster
let bob: string
let tina: string
before(async () => {
  const tokens = parseTokenFile('# token,user,uid,groups\ns3cr3t,tina,1001,"ops,dev"\n')
  c = await startCluster({server: {authorizer: new RbacAuthorizer()}, serve: {authenticateToken: tokenAuthenticator(tokens)}})
  bob = c.userKubeconfig('bob', {cert: c.pki.client('bob', ['dev'])})
  tina = c.userKubeconfig('tina', {token: 's3cr3t'})
})
after(async () => {
  await c.close()
})

async function ok(args: string[], kubeconfig?: string): Promise<string> {
  const r = await c.kubectl(args, {kubeconfig})
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

test('typed kubectl create commands (protobuf bodies) make the objects they describe', async () => {
  assert.equal(await ok(['create', 'namespace', 'team']), 'namespace/team created\n')
  await ok(['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'team'])
  await ok(['create', 'secret', 'generic', 'sec', '--from-literal=k=v', '-n', 'team'])
  await ok(['create', 'deployment', 'd1', '--image=nginx:1.25', '--replicas=3', '--port=80', '-n', 'team'])
  await ok(['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '-n', 'team'])
  await ok(['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'team'])
  const cm = JSON.parse(await ok(['get', 'cm', 'cfg', '-n', 'team', '-o', 'json']))
  assert.deepEqual(cm.data, {a: 'b'})
  const secret = JSON.parse(await ok(['get', 'secret', 'sec', '-n', 'team', '-o', 'json']))
  assert.equal(Buffer.from(secret.data.k, 'base64').toString(), 'v')
  assert.equal(secret.type, 'Opaque')
  const d = JSON.parse(await ok(['get', 'deploy', 'd1', '-n', 'team', '-o', 'json']))
  assert.equal(d.spec.replicas, 3)
  assert.deepEqual(d.spec.selector, {matchLabels: {app: 'd1'}})
  assert.deepEqual(d.spec.template.spec.containers[0].ports, [{containerPort: 80, protocol: 'TCP'}])
  const svc = JSON.parse(await ok(['get', 'svc', 'svc1', '-n', 'team', '-o', 'json']))
  assert.equal(svc.spec.ports[0].targetPort, 8080)
  assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/)
  assert.match(await ok(['get', 'cj', '-n', 'team']), /^cj\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m)
})

test('RBAC: a user sees what a binding grants and is refused the rest, in kube-apiserver\'s words', async () => {
  await ok(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'team'])
  assert.equal(await ok(['auth', 'can-i', 'list', 'pods', '-n', 'team'], bob), 'yes\n')
  const no = await c.kubectl(['auth', 'can-i', 'delete', 'deployments', '-n', 'team'], {kubeconfig: bob})
  assert.equal(no.stdout, 'no\n')
  assert.match(await ok(['get', 'deploy', '-n', 'team'], bob), /^d1\s+0\/3/m)
  const denied = await c.kubectl(['get', 'pods', '-n', 'default'], {kubeconfig: bob})
  assert.equal(denied.stderr, 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"\n')
  const del = await c.kubectl(['delete', 'deploy', 'd1', '-n', 'team'], {kubeconfig: bob})
  assert.equal(del.stderr, 'Error from server (Forbidden): deployments.apps "d1" is forbidden: User "bob" cannot delete resource "deployments" in API group "apps" in the namespace "team"\n')
  const secrets = await c.kubectl(['get', 'secrets', '-n', 'team'], {kubeconfig: bob})
  assert.match(secrets.stderr, /cannot list resource "secrets"/)
  assert.match(await ok(['auth', 'whoami'], bob), /Username\s+bob\nGroups\s+\[dev system:authenticated\]/)
})

test('bearer tokens from the token file; unknown tokens are 401', async () => {
  assert.match(await ok(['auth', 'whoami'], tina), /Username\s+tina\nUID\s+1001\nGroups\s+\[ops dev system:authenticated\]/)
  await ok(['create', 'clusterrolebinding', 'ops-edit', '--clusterrole=edit', '--group=ops'])
  assert.equal(await ok(['auth', 'can-i', 'delete', 'deployments', '-n', 'team'], tina), 'yes\n')
  const bad = c.userKubeconfig('mallory', {token: 'wrong'})
  const r = await c.kubectl(['get', 'pods'], {kubeconfig: bad})
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /Unauthorized|must be logged in/)
})

test('deleting a namespace empties it, shows Terminating, then it is gone', async () => {
  assert.equal(await ok(['delete', 'namespace', 'team']), 'namespace "team" deleted\n')
  const gone = await c.kubectl(['get', 'ns', 'team'])
  assert.match(gone.stderr, /namespaces "team" not found/)
  assert.equal((await c.kubectl(['get', 'deploy,cm', '-n', 'team', '-o', 'name'])).stdout, '')
  const refuse = await c.kubectl(['delete', 'ns', 'default'])
  assert.equal(refuse.stderr, 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n')
})

test('kubectl explain reads the OpenAPI v3 schema', async () => {
  const out = await ok(['explain', 'pods.spec.containers'])
  assert.match(out, /^KIND:\s+Pod\nVERSION:\s+v1\n\nFIELD: containers <\[\]Container>/)
  assert.match(out, /^ {2}name\t<string> -required-$/m)
  assert.match(out, /^ {2}ports\t<\[\]ContainerPort>$/m)
  assert.match(await ok(['explain', 'deployment.spec']), /^ {2}selector\t<LabelSelector> -required-$/m)
})

test('/openapi/v2: protobuf for kubectl (its v2 explain reads it), JSON with the extensions', async () => {
  const out = await ok(['explain', 'deployment.spec.template', '--output=plaintext-openapiv2'])
  assert.match(out, /^KIND:\s+Deployment\nVERSION:\s+apps\/v1\n\nRESOURCE: template <Object>\n/)
  assert.match(out, /^ {3}spec\t<Object>$/m)
  const doc = JSON.parse(await ok(['get', '--raw', '/openapi/v2']))
  assert.equal(doc.swagger, '2.0')
  assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{group: 'apps', version: 'v1', kind: 'Deployment'}])
  const containers = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers
  assert.deepEqual([containers.items.$ref, containers['x-kubernetes-patch-merge-key'], containers['x-kubernetes-patch-strategy']], ['#/definitions/io.k8s.api.core.v1.Container', 'name', 'merge'])
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], {group: 'apps', version: 'v1', kind: 'Deployment'})
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'))
})

test('service account tokens from kubectl create token authenticate until the account is deleted', async () => {
  await ok(['create', 'serviceaccount', 'robot'])
  const token = (await ok(['create', 'token', 'robot', '--duration=20m'])).trim()
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
  assert.equal(claims.sub, 'system:serviceaccount:default:robot')
  assert.equal(claims.exp - claims.iat, 1200)
  const robot = c.userKubeconfig('robot', {token})
  assert.match(await ok(['auth', 'whoami'], robot), /Username\s+system:serviceaccount:default:robot\n.*\nGroups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]/s)
  assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'pods'], {kubeconfig: robot})).stdout, 'no\n')
  await ok(['delete', 'serviceaccount', 'robot'])
  const after = await c.kubectl(['auth', 'whoami'], {kubeconfig: robot})
  assert.notEqual(after.code, 0)
  assert.match(after.stderr, /Unauthorized|must be logged in/)
})
