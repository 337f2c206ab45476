// Prints the member responses in the chosen format (simple lines are each command's own).
import type {Member, ResponseHeader} from '../api/proto/rpc.js'
import {MemberListResponse} from '../api/proto/rpc.js'
import {badFeature} from './exit.js'
import {membersResponseFields, membersResponseJson} from './printers/cluster.js'
import {type OutputFormat, tableUnsupported} from './printers/printer.js'

type MembersResponse = {header?: ResponseHeader; member?: Member; members?: Member[]}

/** json, fields or protobuf of a member response; undefined for simple (the caller prints it). */
export function renderMembersResponse(format: OutputFormat, response: MembersResponse): string | Buffer | undefined {
  switch (format) {
    case 'json':
      return membersResponseJson(response) + '\n'
    case 'fields':
      return membersResponseFields(response)
    case 'protobuf':
      return Buffer.from(MemberListResponse.encode(MemberListResponse.fromPartial({header: response.header, members: response.members ?? []})).finish())
    case 'table':
      throw tableUnsupported()
    default:
      return undefined
  }
}

export const protobufUnsupported = () => badFeature('protobuf not supported as output format')
