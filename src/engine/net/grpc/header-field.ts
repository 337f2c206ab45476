// A ResponseHeader as field 1 of its response (tag, length, message), the field every etcd
// response starts with. Consecutive responses mostly carry the same header (every watcher of one
// write, every keep-alive between two writes), so the last one encoded is kept while the next
// has the same values.
import {varintSize, writeVarint} from '../../../api/varint.js'
import {type ResponseHeader, ResponseHeader as ResponseHeaderCodec} from '../../../api/proto/rpc.js'

/** Field 1, wire type 2 (length-delimited): the header's tag in WatchResponse, LeaseKeepAliveResponse and the rest. */
const TAG_HEADER = (1 << 3) | 2

let lastHeader: ResponseHeader | undefined
let lastHeaderField: Buffer = Buffer.alloc(0)

/** A message as a length-delimited field: tag, length, bytes. */
export function delimitedField(tag: number, message: Uint8Array): Buffer {
  const field = Buffer.allocUnsafe(1 + varintSize(message.length) + message.length)
  field[0] = tag
  const at = writeVarint(field, 1, message.length)
  field.set(message, at)
  return field
}

/** The header as field 1 of a response. The buffer is shared: copy it, never modify it. */
export function headerField(header: ResponseHeader): Buffer {
  const last = lastHeader
  if (
    last === undefined ||
    last.revision !== header.revision ||
    last.raftTerm !== header.raftTerm ||
    last.memberId !== header.memberId ||
    last.clusterId !== header.clusterId
  ) {
    lastHeaderField = delimitedField(TAG_HEADER, ResponseHeaderCodec.encode(header).finish())
    lastHeader = {...header}
  }
  return lastHeaderField
}
