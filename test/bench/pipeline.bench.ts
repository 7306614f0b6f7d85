// `npm run bench:pipeline`: CPU per image of each step the inference runner's own thread does beside
// onnxruntime (vitest bench; mean times per call in its table). Inputs are real: a FERPlus test face
// enlarged to 112 px, and a sheet of three generated-size panels of it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { bench, describe } from 'vitest'
import { emotionIntensity } from '../../src/main/review/intensity'
import { decodeSimplePng, resizeInto } from '../../src/main/vision/fastPng'
import { encodeRgbPng } from '../../src/main/vision/pngEncode'
import { writeRgb } from '../../src/main/vision/preprocess'
import { FERPLUS_DIR } from '../helpers/data'

const S = 112
const norm = { size: S, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
const scale = norm.std.map((sd) => 1 / (255 * sd))
const shift = norm.mean.map((m, c) => -m / norm.std[c])
const png = readFileSync(join(FERPLUS_DIR, 'FER2013Test', 'fer0032220.png'))
const face = decodeSimplePng(png)!
const tensor = new Float32Array(3 * S * S)
resizeInto(face, S, tensor, 0, scale, shift)
const sheet = new Uint8ClampedArray(3 * S * S * 3)
for (let panel = 0; panel < 3; panel++) writeRgb(tensor, 0, norm, sheet, 3 * S, panel * S)

const sharpSheet = () =>
  sharp(Buffer.from(sheet.buffer), { raw: { width: 3 * S, height: S, channels: 3 } })
    .png({ compressionLevel: 2 })
    .toBuffer()
void sharpSheet().then((b) =>
  console.log(`sheet PNG bytes: encodeRgbPng ${encodeRgbPng(sheet, 3 * S, S).length}, sharp level 2 ${b.length}`)
)

describe('run thread, per image', () => {
  bench('decode 48-px PNG (JS)', () => void decodeSimplePng(png))
  bench('resize into the 112-px input tensor', () => resizeInto(face, S, tensor, 0, scale, shift))
  bench('write 3 panels of the sheet (writeRgb)', () => {
    for (let panel = 0; panel < 3; panel++) writeRgb(tensor, 0, norm, sheet, 3 * S, panel * S)
  })
  bench('encode the sheet (encodeRgbPng, level 1)', () => void encodeRgbPng(sheet, 3 * S, S))
  bench('encode the sheet (sharp PNG, level 2: the encoder before)', async () => void (await sharpSheet()))
  bench('emotion intensity', () => void emotionIntensity(tensor, tensor, 0, norm))
})
