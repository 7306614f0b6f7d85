import { join, sep } from 'node:path'

/**
 * Where things that ship beside the code live, packaged or not. Packaged, the app is
 * <resources>/app.asar; native binaries are in <resources>/app.asar.unpacked and the models in
 * <resources>/models (electron-builder.yml: asarUnpack, extraResources). In development the app
 * folder is the repository.
 */
export interface AppLocation {
  isPackaged: boolean
  /** app.getAppPath(): the repository in development, <resources>/app.asar when packaged. */
  appPath: string
  /** process.resourcesPath. */
  resourcesPath: string
}

/** The built-in models folder: process.resourcesPath/models when packaged, resources/models otherwise. */
export function bundledModelsDir(loc: AppLocation): string {
  return loc.isPackaged ? join(loc.resourcesPath, 'models') : join(loc.appPath, 'resources', 'models')
}

/**
 * The on-disk twin of a path inside app.asar: native code cannot be loaded from the archive, so
 * electron-builder keeps it in app.asar.unpacked (asarUnpack).
 */
export function unpackedPath(path: string): string {
  const parts = path.split(sep)
  const i = parts.lastIndexOf('app.asar')
  if (i < 0) return path
  parts[i] = 'app.asar.unpacked'
  return parts.join(sep)
}
