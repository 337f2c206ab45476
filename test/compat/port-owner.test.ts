// The harness's check that a port is held by the process it started, not by another test's server.
import {strict as assert} from 'node:assert'
import {createServer, type Server} from 'node:net'
import {test} from 'node:test'
import {listensOn} from './harness/port-owner.js'

function listen(): Promise<{server: Server; port: number}> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => resolve({server, port: (server.address() as {port: number}).port}))
  })
}

test('a listening port is ours; a closed one, or one held by another process, is not', async () => {
  const {server, port} = await listen()
  assert.equal(await listensOn(process.pid, port), true)
  // pid 1 never holds our listener
  assert.equal(await listensOn(1, port), false)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  assert.equal(await listensOn(process.pid, port), false)
})
