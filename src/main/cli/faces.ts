import { resolve } from 'node:path'
import { extractFaces } from '../vision/faces/extract'
import { EXIT, type CliArgs } from './args'

/** `pokerface faces <photos> --out <folder>`: detect, align and crop every face, linked to its photo. */
export async function faces(args: CliArgs): Promise<number> {
  if (!args.folder || !args.out) {
    console.error('pokerface faces needs a folder of photos and --out FOLDER for the face crops')
    return EXIT.usage
  }
  let last = 0
  const report = await extractFaces(resolve(args.folder), resolve(args.out), {}, (done, total) => {
    if (Date.now() - last > 2000 || done === total) {
      last = Date.now()
      process.stderr.write(`faces: ${done}/${total} photos\n`)
    }
  })
  if (args.json) console.log(JSON.stringify(report))
  else {
    console.log(
      `${report.faces} faces from ${report.photos} photos → ${resolve(args.out)} (links in ${report.linksFile}; open the folder with the ImageFolder format)`
    )
    for (const s of report.skipped.slice(0, 20)) console.log(`  skipped ${s.relPath}: ${s.reason}`)
  }
  return report.photos === 0 ? EXIT.noImages : EXIT.ok
}
