import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { writePng } from './data'

/** The three FERPlus label files, in the order an export writes them. */
export const FERPLUS_LABEL_FILES = ['FER2013Train/label.csv', 'FER2013Valid/label.csv', 'FER2013Test/label.csv']

/**
 * A FERPlus-shaped folder made here (flat grey faces, real PNGs): three splits, each with its
 * label.csv of vote rows, so a source-format export writes three files that belong together.
 */
export async function buildFerplusShaped(root: string, perSplit = 3): Promise<void> {
  let shade = 20
  for (const file of FERPLUS_LABEL_FILES) {
    const split = file.split('/')[0]
    const lines: string[] = []
    for (let i = 0; i < perSplit; i++) {
      const name = `fer${String(shade).padStart(7, '0')}.png`
      await writePng(join(root, split, name), shade)
      shade += 7
      // 10 votes: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
      lines.push(`${name},"(0, 0, 48, 48)",${i % 2 === 0 ? '10,0' : '0,10'},0,0,0,0,0,0,0,0`)
    }
    await writeFile(join(root, file), lines.join('\n') + '\n')
  }
}
