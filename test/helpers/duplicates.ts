import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { copyFaceFixture } from './data'

/** The fixture face the duplicate tests copy, and its copies: path → how it was made. */
export const DUPLICATED_FACE = 'train/happy/sample4__face3.png'
export const FACE_COPIES = {
  /** The same file byte for byte, in another split and class. */
  bytes: 'test/neutral/copy_bytes.png',
  /** The same pixels, saved again as PNG without compression: other bytes, the same decoded pixels. */
  reencoded: 'test/happy/copy_reencoded.png',
  /** Mirrored and shifted 2 px right (edge repeated), a JPEG at quality 80. */
  mirroredShifted: 'train/sad/copy_mirrored_shifted.jpg'
} as const

/**
 * A copy of the face fixture at `root` with three copies of one face added (FACE_COPIES): one
 * duplicate group of four samples, across train and test and across three labels.
 */
export async function duplicatesDataset(root: string): Promise<void> {
  await copyFaceFixture(root)
  const original = join(root, DUPLICATED_FACE)
  const put = async (relPath: string, bytes: Buffer): Promise<void> => {
    await mkdir(dirname(join(root, relPath)), { recursive: true })
    await writeFile(join(root, relPath), bytes)
  }
  await mkdir(dirname(join(root, FACE_COPIES.bytes)), { recursive: true })
  await copyFile(original, join(root, FACE_COPIES.bytes))
  const bytes = await readFile(original)
  await put(FACE_COPIES.reencoded, await sharp(bytes).png({ compressionLevel: 0 }).toBuffer())
  const { width, height } = await sharp(bytes).metadata()
  const shifted = await sharp(bytes)
    .flop()
    .extend({ left: 2, extendWith: 'copy' })
    .extract({ left: 0, top: 0, width: width as number, height: height as number })
    .jpeg({ quality: 80 })
    .toBuffer()
  await put(FACE_COPIES.mirroredShifted, shifted)
}
