import type { ModelInfo } from '@shared/inference'
import type { AppContext } from '../api/context'
import { classificationReport, type ClassificationReport } from '../review/accuracy'
import { calibrationReport, type CalibrationReport } from '../review/calibration'
import { asTrained, withoutTemperature, type FoldedCalibration } from './foldedCalibration'

/** Labelled samples of one split with this model's prediction, in the model's class indices. */
function labelledPredictions(ctx: AppContext, datasetId: number, modelId: string, split: string | null) {
  return ctx.db
    .prepare(
      `SELECT s.original_label AS label, p.predicted_label AS predicted, p.probabilities AS probabilities FROM samples s
       JOIN predictions p ON p.content_hash = s.content_hash AND p.model_id = ?
       WHERE s.dataset_id = ? AND s.status = 'present' AND (? IS NULL OR s.split = ?) AND s.original_label IS NOT NULL`
    )
    .all(modelId, datasetId, split, split) as { label: string; predicted: string; probabilities: string }[]
}

/**
 * The benchmark's figures for one finished run: accuracy, mean per-class recall, per-class recall
 * and the confusion matrix (same keys as training/pfvit/metrics.py), and calibration. Labels the
 * model has no class for are counted, not scored. Where the graph has corrections folded in
 * (`fold`, from model.json), also the figures before them (foldedCalibration.ts).
 */
export function benchmarkReport(
  ctx: AppContext,
  datasetId: number,
  model: ModelInfo,
  split: string | null,
  fold: FoldedCalibration | null = null
) {
  const rows = labelledPredictions(ctx, datasetId, model.id, split)
  const index = new Map(model.classes.map((c, i) => [c, i]))
  const scored = rows.filter((r) => index.has(r.label))
  const truth = scored.map((r) => index.get(r.label) as number)
  const report = classificationReport(
    truth,
    scored.map((r) => index.get(r.predicted) as number),
    model.classes
  )
  const probabilities = scored.map((r) => JSON.parse(r.probabilities) as number[])
  const calibration = calibrationReport(probabilities, truth)
  return {
    report,
    calibration,
    beforeCalibration: fold && figuresBeforeCalibration(probabilities, truth, model.classes, fold),
    skippedLabels: rows.length - scored.length
  }
}

const argmax = (p: number[]): number => p.reduce((best, v, k) => (v > p[best] ? k : best), 0)

/**
 * Test figures of the same graph with its folded corrections undone: without the temperature (same
 * predictions, so only calibration moves) and as trained (neither logit adjustment nor temperature,
 * so accuracy and mean per-class recall move too). The card's Valid figures before and after sit
 * beside these.
 */
function figuresBeforeCalibration(probabilities: number[][], truth: number[], classes: string[], fold: FoldedCalibration) {
  const trained = probabilities.map((p) => asTrained(p, fold))
  const { accuracy, mean_class_recall } = classificationReport(truth, trained.map(argmax), classes)
  return {
    folded: { temperature: fold.temperature, tau: fold.tau },
    without_temperature: calibrationReport(
      probabilities.map((p) => withoutTemperature(p, fold)),
      truth
    ),
    as_trained: { accuracy, mean_class_recall, ...calibrationReport(trained, truth) }
  }
}

const percent = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`)

/** The figures a researcher compares first, on one line (the JSON above has the rest). */
export function summaryLine(
  report: ClassificationReport,
  calibration: CalibrationReport,
  withoutTemperatureEce?: number | null
): string {
  const ece = calibration.expected_calibration_error
  const before = withoutTemperatureEce == null ? '' : ` (${withoutTemperatureEce.toFixed(3)} before temperature scaling)`
  return (
    `accuracy ${percent(report.accuracy)} · mean per-class recall ${percent(report.mean_class_recall)} · ` +
    `ECE ${ece === null ? 'n/a' : ece.toFixed(3)}${before} (${calibration.bins} bins) · ${report.samples.toLocaleString('en-US')} faces`
  )
}

/**
 * Per labelled image of the split, whether model A and model B are right, for images both have
 * predictions for (paired: the same images, each counted once per sample).
 */
export function pairedCorrectness(ctx: AppContext, datasetId: number, a: ModelInfo, b: ModelInfo, split: string | null) {
  const rows = ctx.db
    .prepare(
      `SELECT s.original_label AS label, pa.predicted_label AS a, pb.predicted_label AS b FROM samples s
       JOIN predictions pa ON pa.content_hash = s.content_hash AND pa.model_id = ?
       JOIN predictions pb ON pb.content_hash = s.content_hash AND pb.model_id = ?
       WHERE s.dataset_id = ? AND s.status = 'present' AND (? IS NULL OR s.split = ?) AND s.original_label IS NOT NULL`
    )
    .all(a.id, b.id, datasetId, split, split) as { label: string; a: string; b: string }[]
  const scored = rows.filter((r) => a.classes.includes(r.label) && b.classes.includes(r.label))
  return { aRight: scored.map((r) => r.a === r.label), bRight: scored.map((r) => r.b === r.label) }
}
