// What /version reports: the Kubernetes API level served, marked as this implementation's.
import {arch, platform} from 'node:process'

export const kubeMajor = '1'
export const kubeMinor = '32'
export const kubePatch = '0'

export function serverVersion(): Record<string, string> {
  return {
    major: kubeMajor,
    minor: kubeMinor,
    gitVersion: `v${kubeMajor}.${kubeMinor}.${kubePatch}-ectl`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${platform}/${arch === 'x64' ? 'amd64' : arch}`,
  }
}
