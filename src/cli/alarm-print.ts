// `alarm list` and `alarm disarm` print the alarms of the response, as etcdctl.
import {AlarmResponse, AlarmType} from '../api/proto/rpc.js'
import {headerJson} from './printers/json.js'
import {type OutputFormat, tableUnsupported} from './printers/printer.js'

const alarmName = (alarm: number): string => AlarmType[alarm] ?? String(alarm)

export function renderAlarms(format: OutputFormat, r: AlarmResponse): string | Buffer {
  switch (format) {
    case 'json': {
      const parts: string[] = []
      const header = headerJson(r.header)
      if (header !== undefined) parts.push(`"header":${header}`)
      if (r.alarms.length > 0) {
        const alarms = r.alarms.map((a) => {
          const fields: string[] = []
          if (a.memberID !== 0n) fields.push(`"memberID":${BigInt.asUintN(64, a.memberID)}`)
          if (a.alarm !== 0) fields.push(`"alarm":${a.alarm}`)
          return `{${fields.join(',')}}`
        })
        parts.push(`"alarms":[${alarms.join(',')}]`)
      }
      return `{${parts.join(',')}}\n`
    }
    case 'protobuf':
      return Buffer.from(AlarmResponse.encode(r).finish())
    case 'table':
      throw tableUnsupported()
    case 'fields': {
      const h = r.header
      const head = `"ClusterID" : ${h?.clusterId ?? 0n}\n"MemberID" : ${h?.memberId ?? 0n}\n"Revision" : ${h?.revision ?? 0n}\n"RaftTerm" : ${h?.raftTerm ?? 0n}\n`
      return head + r.alarms.map((a) => `"MemberID" : ${a.memberID}\n"AlarmType" : ${alarmName(a.alarm)}\n`).join('')
    }
    default:
      return r.alarms.map((a) => `memberID:${BigInt.asUintN(64, a.memberID)} alarm:${alarmName(a.alarm)} \n`).join('')
  }
}
