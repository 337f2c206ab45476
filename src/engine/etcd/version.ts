/** The etcd API version this engine implements, reported by Status and /version. */
export const serverVersion = '3.5.0'
export const apiVersion = '3.5'
/** The cluster version /version reports: the API version with patch 0, as etcd's. */
export const apiClusterVersion = `${apiVersion}.0`
