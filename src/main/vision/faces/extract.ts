import { join } from 'node:path'
import { ApiError } from '@shared/api'
import { writeFileAtomic } from '../../fsutil'
import { csvField } from '../../datasets/exportFormats'
import { listImageFiles } from '../../datasets/walk'
import { isPathInside } from '../../paths'
import { DEFAULT_ALIGN, type AlignOptions } from './align'
import { alignedFace } from './crop'
import { FaceDetector, type BlazeFaceModel } from './detector'
import { LINKS_FILE } from './links'

export interface ExtractOptions {
  align?: AlignOptions
  threshold?: number
  model?: BlazeFaceModel
}

export interface ExtractReport {
  photos: number
  faces: number
  /** Photos where no face was found, or that could not be read, with the reason. */
  skipped: { relPath: string; reason: string }[]
  linksFile: string
}

/** `a/b/photo.jpg`, face 2 → `a/b/photo__face2.png`: class and split folders carry over as labels. */
export function faceFileName(photoRelPath: string, index: number): string {
  return `${photoRelPath.replace(/\.[^./]+$/, '')}__face${index}.png`
}

/**
 * Turns a folder of raw photos into a folder of aligned face crops that opens as a dataset: each
 * face found becomes `<photo>__face<k>.png` in the same subfolders, and `faces.csv` links every
 * crop to its photo (face index, score, box, eye positions). Unreadable photos and photos with no
 * face are reported, never fatal.
 */
export async function extractFaces(
  photosRoot: string,
  outDir: string,
  options: ExtractOptions = {},
  onProgress: (done: number, total: number) => void = () => {}
): Promise<ExtractReport> {
  if (isPathInside(photosRoot, outDir))
    throw new ApiError('bad_request', 'Write the faces outside the photos folder, or the next scan would read them as photos')
  const { files, problems } = await listImageFiles(photosRoot)
  const skipped = problems.filter((p) => p.kind === 'error').map((p) => ({ relPath: p.relPath, reason: p.reason }))
  const detector = await FaceDetector.create(options.model ?? 'back')
  const header = 'face_path,photo_path,face_index,score,box_x,box_y,box_w,box_h,right_eye_x,right_eye_y,left_eye_x,left_eye_y'
  const links = [header]
  let faces = 0
  try {
    for (const [i, file] of files.entries()) {
      onProgress(i, files.length)
      let photo
      try {
        photo = await FaceDetector.orient(file.absPath)
      } catch (err) {
        skipped.push({ relPath: file.relPath, reason: `cannot decode: ${(err as Error).message.split('\n')[0]}` })
        continue
      }
      const found = await detector.detect(photo, { threshold: options.threshold })
      if (found.length === 0) skipped.push({ relPath: file.relPath, reason: 'no face found' })
      for (const [k, face] of found.entries()) {
        const name = faceFileName(file.relPath, k + 1)
        await writeFileAtomic(join(outDir, ...name.split('/')), await alignedFace(photo, face, options.align ?? DEFAULT_ALIGN), {
          keepBackup: false
        })
        const [re, le] = face.keypoints
        const n = (v: number): string => v.toFixed(1)
        links.push(
          [
            name,
            file.relPath,
            String(k + 1),
            face.score.toFixed(3),
            n(face.cx - face.w / 2),
            n(face.cy - face.h / 2),
            n(face.w),
            n(face.h),
            n(re.x),
            n(re.y),
            n(le.x),
            n(le.y)
          ]
            .map(csvField)
            .join(',')
        )
        faces++
      }
    }
    onProgress(files.length, files.length)
  } finally {
    await detector.release()
  }
  const linksFile = join(outDir, LINKS_FILE)
  await writeFileAtomic(linksFile, links.join('\n') + '\n', { keepBackup: false })
  return { photos: files.length, faces, skipped, linksFile }
}
