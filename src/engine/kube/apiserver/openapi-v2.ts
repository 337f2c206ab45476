// /openapi/v2 with kube-apiserver's content negotiation: gnostic protobuf for the media type
// kubectl and client-go ask for, JSON for application/json (and for no preference), 406 for
// anything else.
import {encodeOpenApiV2} from '../api/openapi-v2-proto.js'
import {openApiV2Document} from '../api/openapi-v2.js'
import type {ResourceRegistry} from '../api/registry.js'
import {Status} from '../api/status.js'
import {respond} from './request.js'
import type {KubeStreamResponse} from '../../../client/kube/transport.js'

const protobufType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'
// kube-apiserver answers with a dot where the request has an @
const protobufResponseType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'

export function openApiV2Response(registry: ResourceRegistry, accept: string | undefined): KubeStreamResponse {
  const wanted = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase())
  for (const type of wanted.length === 0 || wanted[0] === '' ? ['application/json'] : wanted) {
    if (type === protobufType || type === protobufResponseType) return respond(200, encodeOpenApiV2(openApiV2Document(registry)), {'content-type': protobufResponseType})
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return respond(200, openApiV2Document(registry))
  }
  throw Status.notAcceptable('the server was unable to respond with a content type that the client supports')
}
