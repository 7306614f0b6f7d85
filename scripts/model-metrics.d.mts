/** Types for model-metrics.mjs, which tests import. */
export function classifierMetrics(evalReport: Record<string, unknown>, command: string): Record<string, unknown>
export function pokerFaceCheck(
  ferplusReport: Record<string, unknown>,
  yaleReport: Record<string, unknown>,
  options: { modelId: string; generator: string }
): Record<string, unknown>
