// The HTTP/1.1 response reader of the kube transport: every framing, split anywhere, and the
// malformed and oversized answers it must refuse (Node's own HTTPS server answers the whole
// transport in ca-verify.test.ts).
import assert from 'node:assert/strict'
import {test} from 'node:test'
import fc from 'fast-check'
import {Http1ProtocolError, Http1ResponseReader} from '../../../src/client/kube/http1-response.js'

const LIMIT = 1024 * 1024

/** Feeds `raw` in the given pieces; the response, or undefined when it never completed. */
function read(raw: Buffer, cuts: number[] = [], end = false, limit = LIMIT) {
  const reader = new Http1ResponseReader(false, limit)
  const points = [...new Set(cuts.map((c) => c % (raw.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const point of [...points, raw.length]) {
    const done = reader.push(raw.subarray(from, point))
    from = point
    if (done !== undefined) return done
  }
  return end ? reader.end() : undefined
}

const chunked = (body: string, size: number) => {
  let out = ''
  for (let i = 0; i < body.length; i += size) {
    const piece = body.slice(i, i + size)
    out += `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`
  }
  return `${out}0\r\n\r\n`
}

test('a Content-Length body, split at any points, reads whole; headers lower-cased and repeats joined', () => {
  const body = '{"kind":"PodList","items":[]}'
  const raw = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nWarning: 299 - "a"\r\nWarning: 299 - "b"\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  fc.assert(
    fc.property(fc.array(fc.nat(), {maxLength: 6}), (cuts) => {
      const res = read(raw, cuts)!
      assert.equal(res.status, 200)
      assert.equal(res.headers['content-type'], 'application/json')
      assert.equal(res.headers['warning'], '299 - "a", 299 - "b"')
      assert.equal(res.body.toString(), body)
      assert.equal(res.keepAlive, true)
    }),
  )
})

test('a chunked body with extensions and trailers reads whole, split at any points', () => {
  const body = 'x'.repeat(700) + 'é'.repeat(50)
  fc.assert(
    fc.property(fc.integer({min: 1, max: 300}), fc.array(fc.nat(), {maxLength: 8}), (size, cuts) => {
      const framed = chunked(body, size).replace(/^([0-9a-f]+)\r\n/, '$1;ext=1\r\n').replace(/0\r\n\r\n$/, '0\r\nX-Trailer: t\r\n\r\n')
      const raw = Buffer.from(`HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n${framed}`)
      const res = read(raw, cuts)!
      assert.equal(res.status, 201)
      assert.equal(res.body.toString(), body)
    }),
  )
})

test('a body framed by the connection closing ends with the connection, and is not kept alive', () => {
  const raw = Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it')
  assert.equal(read(raw), undefined)
  const res = read(raw, [], true)!
  assert.equal(res.body.toString(), 'all of it')
  assert.equal(res.keepAlive, false)
})

test('no body for 204 and 304; interim 100 responses are skipped; HTTP/1.0 closes unless kept alive', () => {
  assert.equal(read(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))!.body.length, 0)
  assert.equal(read(Buffer.from('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'))!.status, 304)
  const res = read(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))!
  assert.equal(res.status, 200)
  assert.equal(res.body.toString(), 'ok')
  assert.equal(read(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))!.keepAlive, false)
  assert.equal(read(Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'))!.keepAlive, true)
})

test('malformed answers and bodies over the limit are refused, a cut-short one is an error at the end', () => {
  const refused = (raw: string, message: RegExp, limit = LIMIT) => assert.throws(() => read(Buffer.from(raw), [], true, limit), (err: Error) => err instanceof Http1ProtocolError && message.test(err.message))
  refused('SPDY/3 200 OK\r\n\r\n', /malformed HTTP response/)
  refused('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /malformed MIME header/)
  refused('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/)
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', /unsupported transfer encoding/)
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunked/)
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n', /malformed chunked/)
  refused('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n', /larger than 10 bytes/, 10)
  refused(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked('y'.repeat(40), 8)}`, /larger than 10 bytes/, 10)
  refused('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc', /unexpected EOF/)
  refused('HTTP/1.1 200 OK\r\nX-Big: ' + 'h'.repeat(70 * 1024), /headers too large/)
})
