// What `kctl version` reports: the Kubernetes API level kctl speaks, and its own build.
export const kubeMajor = '1'
export const kubeMinor = '32'

export interface VersionInfo {
  major: string
  minor: string
  gitVersion: string
  gitTreeState: string
  compiler: string
  platform: string
}

export function clientVersionInfo(buildVersion: string, platform: string, arch: string): VersionInfo {
  const goArch = arch === 'x64' ? 'amd64' : arch
  return {
    major: kubeMajor,
    minor: kubeMinor,
    gitVersion: `v${kubeMajor}.${kubeMinor}.0-kctl.${buildVersion}`,
    gitTreeState: 'clean',
    compiler: 'node',
    platform: `${platform}/${goArch}`,
  }
}
