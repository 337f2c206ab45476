// What the golden comparison may ignore, and nothing more.
//
// 1. The identity of the member that answered: cluster id, member id and raft term differ
//    between any two clusters (and between real etcd and our engine) by design. They are masked
//    in json (`"cluster_id":N`) and fields (`"ClusterID" : N`) output. A zero stays as it is:
//    real etcd prints 0 exactly where a header is not filled in (the inner responses of a txn),
//    so a clone must print 0 there too.
// 2. etcd's Go client logs a zap warning line to stderr for a failed unary call, e.g.
//    {"level":"warn","ts":"2026-…Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying
//    of unary invoker failed","target":"endpoint://client-<uuid>/127.0.0.1:<port>","attempt":0,
//    "error":"rpc error: code = … desc = …"}
//    Its wall-clock time stamp, the random client uuid and the (random) endpoint address cannot
//    be reproduced by any program, so exactly those three values are masked; the rest of the
//    line (level, caller, message, attempt, gRPC code and description) must match.
//
// Output is handled as latin1 so every byte maps to one char and back: masking never changes
// bytes outside the masked values.

const identityInJson = /"(cluster_id|member_id|raft_term)":[1-9][0-9]*/g
const identityInFields = /^"(ClusterID|MemberID|RaftTerm)" : [1-9][0-9]*$/gm
const clientWarningLine = /^\{"level":"warn","ts":"[^"]*","caller":"clientv3\/retry_interceptor\.go:62","msg":"retrying of unary invoker failed","target":"endpoint:\/\/client-[0-9a-f-]+\/[^"]*",(.*)$/gm

export function normalizeOutput(output: Buffer): Buffer {
  const text = output
    .toString('latin1')
    .replace(identityInJson, (_all, name: string) => `"${name}":<${name}>`)
    .replace(identityInFields, (_all, name: string) => `"${name}" : <${name}>`)
    .replace(
      clientWarningLine,
      (_all, rest: string) =>
        `{"level":"warn","ts":"<ts>","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"endpoint://client-<uuid>/<endpoint>",${rest}`,
    )
  return Buffer.from(text, 'latin1')
}
