// The KubeTransport over an API server living in this process: requests go straight to its
// KubeHandler, as the cluster admin unless another caller is given. Same bytes as over HTTP,
// without sockets or TLS.
import type {KubeHandler, KubeRequest, KubeResponse, KubeStreamResponse, KubeTransport} from './transport.js'

const ADMIN = {user: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated']}
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024

export class InProcessTransport implements KubeTransport {
  constructor(
    private readonly handler: KubeHandler,
    private readonly caller: {user: string; groups: string[]} = ADMIN,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async request(req: KubeRequest): Promise<KubeResponse> {
    const res = await this.handler.handle(req, this.caller)
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += chunk.byteLength
      if (size > MAX_RESPONSE_BYTES) {
        res.close()
        throw new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`)
      }
      chunks.push(chunk)
    }
    return {status: res.status, headers: res.headers, body: Buffer.concat(chunks)}
  }

  stream(req: KubeRequest): Promise<KubeStreamResponse> {
    return this.handler.handle(req, this.caller)
  }

  close(): Promise<void> {
    return this.onClose()
  }
}
