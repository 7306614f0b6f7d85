import sharp from 'sharp'
import type { GreyPixels } from '@shared/formats/types'

/**
 * Images that exist only as pixel values (FER2013's CSV rows) as PNG, the one form every consumer
 * of sample images takes: the renderer, thumbnails, the model's preprocessing. Lossless, so the
 * pixels decoded from the PNG are exactly the dataset's.
 */
export async function pngFromPixels(pixels: GreyPixels): Promise<Buffer> {
  return (
    sharp(Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength), {
      raw: { width: pixels.width, height: pixels.height, channels: 1 }
    })
      // Keep one channel: sharp would otherwise write an RGB PNG three times the size.
      .toColourspace('b-w')
      .png()
      .toBuffer()
  )
}
