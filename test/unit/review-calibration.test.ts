import { describe, expect, it } from 'vitest'
import { calibrationReport } from '@main/review/calibration'

describe('calibration report (same definition as training/pfvit/calibration.py)', () => {
  it('is zero when confidence equals the accuracy inside each bin', () => {
    // Four images at confidence 0.75, three of them right: accuracy 0.75 in that bin.
    const p = [0.75, 0.25]
    const report = calibrationReport([p, p, p, p], [0, 0, 0, 1])
    expect(report.expected_calibration_error).toBeCloseTo(0, 6)
    expect(report.mean_confidence).toBeCloseTo(0.75, 6)
    expect(report.negative_log_likelihood).toBeCloseTo(-(3 * Math.log(0.75) + Math.log(0.25)) / 4, 5)
  })

  it('weighs each bin by its share of images: an over-confident model scores its gap', () => {
    // Two images at 0.95 both wrong (gap 0.95), two at 0.55 both right (gap 0.45): ECE = 0.7.
    const report = calibrationReport(
      [
        [0.95, 0.05],
        [0.95, 0.05],
        [0.55, 0.45],
        [0.45, 0.55]
      ],
      [1, 1, 0, 1]
    )
    expect(report.expected_calibration_error).toBeCloseTo(0.7, 6)
  })

  it('says nothing rather than 0 for no images', () => {
    expect(calibrationReport([], []).expected_calibration_error).toBeNull()
  })
})
