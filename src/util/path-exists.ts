// Whether a path exists, for the callers that decide between making and reusing a file.
import {access} from 'node:fs/promises'

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
