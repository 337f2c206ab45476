// One endpoint's gRPC channel, and waiting for it to connect. Calls go through grpc-js's
// generic Client with each method's path and codecs from src/api/grpc-methods.ts.
import {
  Client,
  type ChannelCredentials,
  type ChannelOptions,
  connectivityState,
  credentials,
} from '@grpc/grpc-js'
import type {Endpoint} from './endpoints.js'
import {defaults, type GrpcClientOptions} from './options.js'

/** etcd's client takes responses of any size up to 2 GiB; we take up to this many bytes. */
const maxReceiveBytes = 512 * 1024 * 1024
/** etcd's client sends requests of up to 2 MiB (the server takes 1.5 MiB by default). */
const maxSendBytes = 2 * 1024 * 1024
/**
 * Keepalive pings no more often than this, whatever --keepalive-time says: grpc-go raises a
 * client's keepalive time to 10 s the same way, and etcd (like any grpc-go server) answers
 * pings closer than 5 s apart with GOAWAY "too many pings", which would break every stream.
 */
const minKeepaliveTimeMs = 10_000

export class Connection {
  readonly client: Client

  constructor(
    readonly endpoint: Endpoint,
    options: GrpcClientOptions,
  ) {
    const channelOptions: ChannelOptions = {
      'grpc.keepalive_time_ms': Math.max(options.keepaliveTimeMs ?? defaults.keepaliveTimeMs, minKeepaliveTimeMs),
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? defaults.keepaliveTimeoutMs,
      'grpc.max_receive_message_length': maxReceiveBytes,
      'grpc.max_send_message_length': maxSendBytes,
      // Reconnect soon after a failure, so a restarted member is used again within a second.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
    }
    this.client = new Client(endpoint.address, channelCredentials(endpoint, options), channelOptions)
  }

  /**
   * Resolves true once the channel is connected, false as soon as the attempt fails (refused,
   * TLS handshake failed) or `deadlineMs` (epoch ms) passes: the caller then tries another endpoint.
   */
  async connect(deadlineMs: number): Promise<boolean> {
    const channel = this.client.getChannel()
    for (;;) {
      const state = channel.getConnectivityState(true)
      if (state === connectivityState.READY) return true
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) return false
      if (Date.now() >= deadlineMs) return false
      const changed = await new Promise<boolean>((resolve) => channel.watchConnectivityState(state, deadlineMs, (error) => resolve(error === undefined)))
      if (!changed) return false
    }
  }

  close(): void {
    this.client.close()
  }
}

function channelCredentials(endpoint: Endpoint, options: GrpcClientOptions): ChannelCredentials {
  const secure = endpoint.secure ?? options.tls !== undefined
  if (!secure) return credentials.createInsecure()
  const tls = options.tls ?? {}
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, {
    rejectUnauthorized: tls.skipVerify !== true,
    ...(tls.skipVerify === true ? {checkServerIdentity: () => undefined} : {}),
  })
}
