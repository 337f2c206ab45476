// A thin gRPC client built from the same method table as the server: each method called by
// service and name, messages as the generated types. For tests and tools; the client that
// commands use implements EtcdClient on top of the wire instead.
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js'
import {EtcdError, type GrpcCodeValue} from '../../../api/errors.js'
import {grpcServices, type MethodName, type ServiceName, serviceDefinition} from '../../../api/grpc-methods.js'

type Spec<S extends ServiceName, M extends MethodName<S>> = (typeof grpcServices)[S][M]
type RequestOf<S extends ServiceName, M extends MethodName<S>> = Spec<S, M> extends {request: {decode(b: Uint8Array): infer R}} ? R : never
type ResponseOf<S extends ServiceName, M extends MethodName<S>> = Spec<S, M> extends {response: {decode(b: Uint8Array): infer R}} ? R : never

/** Requests as fromPartial takes them: any field at any depth may be left out. */
export type DeepPartial<T> = T extends Buffer | bigint | number | string | boolean | undefined
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : {[K in keyof T]?: DeepPartial<T[K]>}

type UnaryFn = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void

export class RawGrpcClient {
  private readonly clients = new Map<ServiceName, Client>()

  /** `address` is `host:port`. */
  constructor(private readonly address: string) {}

  private client(service: ServiceName): Client {
    let client = this.clients.get(service)
    if (!client) {
      const Constructor = makeGenericClientConstructor(serviceDefinition(service), service)
      client = new Constructor(this.address, credentials.createInsecure())
      this.clients.set(service, client)
    }
    return client
  }

  /** Calls a unary method; a failure rejects with an EtcdError carrying the gRPC code and details. */
  unary<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: DeepPartial<RequestOf<S, M>>): Promise<ResponseOf<S, M>> {
    const fn = (this.client(service) as unknown as Record<string, UnaryFn>)[method]!.bind(this.client(service))
    return new Promise((resolve, reject) => {
      fn(request, new Metadata(), (error, response) => (error ? reject(asEtcdError(error)) : resolve(response as ResponseOf<S, M>)))
    })
  }

  /** Opens a bidirectional stream (Watch, LeaseKeepAlive). */
  bidi<S extends ServiceName, M extends MethodName<S>>(service: S, method: M): ClientDuplexStream<DeepPartial<RequestOf<S, M>>, ResponseOf<S, M>> {
    const client = this.client(service) as unknown as Record<string, () => ClientDuplexStream<unknown, unknown>>
    return client[method]!.call(this.client(service)) as ClientDuplexStream<DeepPartial<RequestOf<S, M>>, ResponseOf<S, M>>
  }

  /** Opens a server-streaming call. */
  serverStream<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, request: DeepPartial<RequestOf<S, M>>): NodeJS.ReadableStream {
    const client = this.client(service) as unknown as Record<string, (request: unknown) => NodeJS.ReadableStream>
    return client[method]!.call(this.client(service), request)
  }

  close(): void {
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
  }
}

export function asEtcdError(error: ServiceError): EtcdError {
  return new EtcdError(error.code as GrpcCodeValue, error.details)
}
