// The consensus core's public surface: drive a node through RawNode, keep its log in a
// Storage (MemoryStorage ships), put messages on the wire with the codec.
export {InvariantError} from './assert.js'
export * from './codec.js'
export {nextConfState} from './conf-change.js'
export {RaftError, type RaftErrorCode, isRaftError} from './errors.js'
export {ProgressState, type Progress} from './progress.js'
export type {Config} from './raft.js'
export {RawNode, type Ready, type Status, mayPrecedeDurability} from './rawnode.js'
export {Mulberry32, type Rng} from './rng.js'
export {MemoryStorage, type Storage} from './storage.js'
export * from './types.js'
