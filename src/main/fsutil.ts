import { stat } from 'node:fs/promises'

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

// Writing files has one home (files/): the atomic write, backups and the cleanup after a kill.
export { writeFileAtomic } from './files/atomicWrite'
export { timestamp } from './files/writeNames'
