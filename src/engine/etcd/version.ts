/** The etcd API version this engine implements, reported by Status and /version. */
export const serverVersion = '3.5.0'
export const apiVersion = '3.5'
