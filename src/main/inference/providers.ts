/**
 * Execution providers: which hardware runs the model. `auto` takes the best the machine offers
 * and falls back to the CPU, saying why, when a provider cannot load.
 */
export type ProviderChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu'

export interface BackendInfo {
  name: string
  bundled: boolean
}

/**
 * The providers to try, best first, always ending with the CPU. `auto` never picks WebGPU:
 * in onnxruntime-node it is experimental and slower than the CPU for small ViTs.
 */
export function providerCandidates(choice: ProviderChoice, platform: NodeJS.Platform, backends: BackendInfo[]): string[] {
  const listed = new Set(backends.map((b) => b.name))
  if (choice !== 'auto') return choice === 'cpu' ? ['cpu'] : [choice, 'cpu']
  const preferred =
    platform === 'win32' ? ['cuda', 'dml'] : platform === 'darwin' ? ['coreml'] : platform === 'linux' ? ['cuda'] : []
  return [...preferred.filter((p) => listed.has(p)), 'cpu']
}

/** Threads for the CPU provider: all cores up to 8 (more rarely helps a small ViT), at least 1. */
export function defaultThreads(cpuCount: number): number {
  return Math.max(1, Math.min(8, cpuCount))
}

/**
 * The library a provider needs beside onnxruntime's own, where it is an optional download
 * (`npm run setup:cuda`), or null. `auto` checks for it before trying the provider: trying CUDA
 * without it makes onnxruntime print a long load error on every run of a CPU-only machine.
 */
export function providerLibrary(provider: string, platform: NodeJS.Platform): string | null {
  if (provider !== 'cuda') return null
  return platform === 'win32'
    ? 'onnxruntime_providers_cuda.dll'
    : platform === 'linux'
      ? 'libonnxruntime_providers_cuda.so'
      : null
}
