// The snapshot file commands (status, restore) work on files, not on a member: this is where
// they reach the engine's snapshot format, loaded only when such a command runs.
export async function loadSnapshotFiles(): Promise<typeof import('../engine/etcd/snapshot-file.js')> {
  return import('../engine/etcd/snapshot-file.js')
}
