/** Types for electron-check.mjs, which tests import. */
export type ElectronLookup = { binary: string; reason?: undefined } | { reason: string; binary?: undefined }

export function locateElectron(root: string, env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): ElectronLookup
export function findElectron(root: string, env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): ElectronLookup
export function electronSqliteReady(root: string, platform?: NodeJS.Platform, arch?: string): boolean
