// etcdctl's output for the cluster and maintenance commands (member, endpoint, snapshot
// status), in simple, json, fields and table form as etcdctl 3.4 prints them. Pure: response in,
// text out.
import type {HashKVResponse, Member, MemberListResponse, ResponseHeader, StatusResponse} from '../../api/proto/rpc.js'
import {goQuote} from '../go-format.js'
import {goDuration, humanizeBytes} from '../humanize.js'
import {headerJson} from './json.js'

const u64 = (v: bigint): string => BigInt.asUintN(64, v).toString()
const hexId = (v: bigint): string => BigInt.asUintN(64, v).toString(16)
/** Go's %16x: hex, padded with spaces to 16. */
export const hexId16 = (v: bigint): string => hexId(v).padStart(16, ' ')
/** Go's encoding/json string: UTF-8 kept, <, > and & escaped. */
const jsonString = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

function fieldsHeader(h: ResponseHeader | undefined): string {
  return (
    `"ClusterID" : ${u64(h?.clusterId ?? 0n)}\n` +
    `"MemberID" : ${u64(h?.memberId ?? 0n)}\n` +
    `"Revision" : ${(h?.revision ?? 0n).toString()}\n` +
    `"RaftTerm" : ${u64(h?.raftTerm ?? 0n)}\n`
  )
}

type Field = [string, string | undefined]
function object(fields: Field[]): string {
  return '{' + fields.filter((f): f is [string, string] => f[1] !== undefined).map(([k, v]) => `"${k}":${v}`).join(',') + '}'
}
const strings = (list: string[]): string | undefined => (list.length === 0 ? undefined : `[${list.map(jsonString).join(',')}]`)

export function memberJson(m: Member): string {
  return object([
    ['ID', m.ID === 0n ? undefined : u64(m.ID)],
    ['name', m.name === '' ? undefined : jsonString(m.name)],
    ['peerURLs', strings(m.peerURLs)],
    ['clientURLs', strings(m.clientURLs)],
    ['isLearner', m.isLearner ? 'true' : undefined],
  ])
}

/** Member list, add, remove, update and promote responses as Go's encoding/json prints them. */
export function membersResponseJson(r: {header?: ResponseHeader; member?: Member; members?: Member[]}): string {
  return object([
    ['header', headerJson(r.header)],
    ['member', r.member === undefined ? undefined : memberJson(r.member)],
    ['members', r.members === undefined || r.members.length === 0 ? undefined : `[${r.members.map(memberJson).join(',')}]`],
  ])
}

export function memberFields(m: Member): string {
  return (
    `"ID" : ${u64(m.ID)}\n` +
    `"Name" : ${goQuote(m.name)}\n` +
    m.peerURLs.map((u) => `"PeerURL" : ${goQuote(u)}\n`).join('') +
    m.clientURLs.map((u) => `"ClientURL" : ${goQuote(u)}\n`).join('') +
    `"IsLearner" : ${m.isLearner}\n\n`
  )
}

export function membersResponseFields(r: {header?: ResponseHeader; member?: Member; members?: Member[]}): string {
  return fieldsHeader(r.header) + (r.member === undefined ? '' : memberFields(r.member)) + (r.members ?? []).map(memberFields).join('')
}

/** The member list's rows: a member is "started" once it has a name. */
export function memberRows(r: MemberListResponse): string[][] {
  return r.members.map((m) => [
    hexId(m.ID),
    m.name === '' ? 'unstarted' : 'started',
    m.name,
    m.peerURLs.join(','),
    m.clientURLs.join(','),
    String(m.isLearner),
  ])
}
export const memberListHeader = ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER']

// ---- endpoint health, status, hashkv ----

export interface EndpointHealth {
  endpoint: string
  health: boolean
  tookNs: bigint
  error: string
}

export const healthHeader = ['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR']
export function healthRows(list: EndpointHealth[]): string[][] {
  return list.map((h) => [h.endpoint, String(h.health), goDuration(h.tookNs), h.error])
}
export function healthJson(list: EndpointHealth[]): string {
  return `[${list
    .map((h) => object([['endpoint', jsonString(h.endpoint)], ['health', String(h.health)], ['took', jsonString(goDuration(h.tookNs))], ['error', h.error === '' ? undefined : jsonString(h.error)]]))
    .join(',')}]`
}
export function healthFields(list: EndpointHealth[]): string {
  return list.map((h) => `"Endpoint" : ${goQuote(h.endpoint)}\n"Health" : ${h.health}\n"Took" : ${goDuration(h.tookNs)}\n"Error" : ${h.error}\n\n`).join('')
}

export interface EndpointStatus {
  endpoint: string
  status: StatusResponse
}

export const statusHeader = ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS']
export function statusRows(list: EndpointStatus[]): string[][] {
  return list.map(({endpoint, status: s}) => [
    endpoint,
    hexId(s.header?.memberId ?? 0n),
    s.version,
    humanizeBytes(s.dbSize),
    String(s.leader === (s.header?.memberId ?? 0n)),
    String(s.isLearner),
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.raftAppliedIndex),
    s.errors.join(', '),
  ])
}
export function statusJson(list: EndpointStatus[]): string {
  return `[${list
    .map(({endpoint, status: s}) =>
      object([
        ['Endpoint', jsonString(endpoint)],
        [
          'Status',
          object([
            ['header', headerJson(s.header)],
            ['version', s.version === '' ? undefined : jsonString(s.version)],
            ['dbSize', s.dbSize === 0n ? undefined : String(s.dbSize)],
            ['leader', s.leader === 0n ? undefined : u64(s.leader)],
            ['raftIndex', s.raftIndex === 0n ? undefined : u64(s.raftIndex)],
            ['raftTerm', s.raftTerm === 0n ? undefined : u64(s.raftTerm)],
            ['raftAppliedIndex', s.raftAppliedIndex === 0n ? undefined : u64(s.raftAppliedIndex)],
            ['errors', strings(s.errors)],
            ['dbSizeInUse', s.dbSizeInUse === 0n ? undefined : String(s.dbSizeInUse)],
            ['isLearner', s.isLearner ? 'true' : undefined],
          ]),
        ],
      ]),
    )
    .join(',')}]`
}
export function statusFields(list: EndpointStatus[]): string {
  return list
    .map(
      ({endpoint, status: s}) =>
        fieldsHeader(s.header) +
        `"Version" : ${goQuote(s.version)}\n"DBSize" : ${s.dbSize}\n"Leader" : ${u64(s.leader)}\n"IsLearner" : ${s.isLearner}\n` +
        `"RaftIndex" : ${u64(s.raftIndex)}\n"RaftTerm" : ${u64(s.raftTerm)}\n"RaftAppliedIndex" : ${u64(s.raftAppliedIndex)}\n` +
        `"Errors" : [${s.errors.join(' ')}]\n"Endpoint" : ${goQuote(endpoint)}\n\n`,
    )
    .join('')
}

export interface EndpointHash {
  endpoint: string
  hashKV: HashKVResponse
}

export const hashHeader = ['ENDPOINT', 'HASH']
export function hashRows(list: EndpointHash[]): string[][] {
  return list.map((h) => [h.endpoint, String(h.hashKV.hash)])
}
export function hashJson(list: EndpointHash[]): string {
  return `[${list
    .map((h) =>
      object([
        ['Endpoint', jsonString(h.endpoint)],
        [
          'HashKV',
          object([
            ['header', headerJson(h.hashKV.header)],
            ['hash', h.hashKV.hash === 0 ? undefined : String(h.hashKV.hash)],
            ['compact_revision', h.hashKV.compactRevision === 0n ? undefined : String(h.hashKV.compactRevision)],
          ]),
        ],
      ]),
    )
    .join(',')}]`
}
export function hashFields(list: EndpointHash[]): string {
  return list.map((h) => fieldsHeader(h.hashKV.header) + `"Endpoint" : ${goQuote(h.endpoint)}\n"Hash" : ${h.hashKV.hash}\n\n`).join('')
}

// ---- snapshot status ----

export interface SnapshotStatusView {
  hash: number
  revision: number
  totalKeys: number
  totalSize: number
}

export const snapshotHeader = ['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE']
export function snapshotRow(s: SnapshotStatusView): string[] {
  return [s.hash.toString(16), String(s.revision), String(s.totalKeys), humanizeBytes(s.totalSize)]
}
export function snapshotJson(s: SnapshotStatusView): string {
  // etcd's snapshot.Status has no omitempty: zeros print
  return object([
    ['hash', String(s.hash)],
    ['revision', String(s.revision)],
    ['totalKey', String(s.totalKeys)],
    ['totalSize', String(s.totalSize)],
  ])
}
export function snapshotFields(s: SnapshotStatusView): string {
  return `"Hash" : ${s.hash}\n"Revision" : ${s.revision}\n"Keys" : ${s.totalKeys}\n"Size" : ${s.totalSize}\n`
}
