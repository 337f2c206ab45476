// The rules of the house (shared/DESIGN.md), checked on every test run.
module.exports = {
  forbidden: [
    {
      name: 'raft-is-pure',
      comment: 'engine/raft is a pure state machine: it imports nothing outside itself (no IO, no clock).',
      severity: 'error',
      from: {path: '^src/engine/raft/'},
      to: {pathNot: '^src/engine/raft/'},
    },
    {
      name: 'storage-below-net-kube-cli',
      comment: 'mvcc, lease, auth and wal never reach up into the network, kube or CLI layers.',
      severity: 'error',
      from: {path: '^src/engine/(mvcc|lease|auth|wal)/'},
      to: {path: '^src/(engine/net|engine/kube|cli|commands)/'},
    },
    {
      name: 'kube-storage-through-etcd-client',
      comment: 'the control plane reaches storage only through client/etcd (EtcdClient).',
      severity: 'error',
      from: {path: '^src/engine/kube/'},
      to: {path: '^src/engine/(mvcc|wal|lease|auth|etcd|raft|net)/'},
    },
    {
      name: 'components-through-kube-client',
      comment: 'scheduler, controllers, kubelet and proxy reach the API server only through client/kube.',
      severity: 'error',
      from: {path: '^src/engine/kube/(scheduler|controllers|kubelet|proxy)/'},
      to: {path: '^src/engine/kube/apiserver/'},
    },
    {
      name: 'commands-parse-call-print',
      comment: 'commands import cli/, client/ and api/ only; the embedded engine is opened through cli/.',
      severity: 'error',
      from: {path: '^src/commands/'},
      to: {path: '^src/engine/'},
    },
    {
      name: 'api-is-a-leaf',
      comment: 'api/ (wire types and errors) is shared by every layer and depends on none.',
      severity: 'error',
      from: {path: '^src/api/'},
      to: {path: '^src/(engine|client|cli|commands)/'},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: {circular: true},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsConfig: {fileName: 'tsconfig.json'},
    tsPreCompilationDeps: true,
  },
}
