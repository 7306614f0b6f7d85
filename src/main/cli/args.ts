/** Command-line arguments shared by the Electron entry and the `pokerface` command. */
export interface CliArgs {
  command: string
  folder: string | null
  dataDir: string | null
  port: number
  json: boolean
  errors: string[]
}

const COMMANDS = new Set(['serve', 'open', 'help'])

export function parseCliArgs(argv: string[]): CliArgs {
  const out: CliArgs = { command: 'serve', folder: null, dataDir: null, port: 0, json: false, errors: [] }
  const rest = [...argv]
  if (rest[0] && COMMANDS.has(rest[0])) out.command = rest.shift() as string
  while (rest.length) {
    const arg = rest.shift() as string
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null]
    const value = (): string | null => inline ?? rest.shift() ?? null
    if (flag === '--data-dir') out.dataDir = value()
    else if (flag === '--port') {
      const v = Number(value())
      if (!Number.isInteger(v) || v < 0 || v > 65535) out.errors.push('--port needs a number between 0 and 65535')
      else out.port = v
    } else if (flag === '--json') out.json = true
    else if (flag === '--help' || flag === '-h') out.command = 'help'
    else if (flag.startsWith('-')) out.errors.push(`Unknown option: ${flag}`)
    else if (!out.folder) out.folder = arg
    else out.errors.push(`Unexpected argument: ${arg}`)
  }
  if (out.dataDir === null && argv.includes('--data-dir')) out.errors.push('--data-dir needs a folder')
  return out
}

export const USAGE = `PokerFace Studio — review and clean facial-expression datasets

Usage:
  pokerface serve [folder] [--data-dir DIR] [--port N]
      Serve the review workspace in your browser (127.0.0.1 only) and open [folder].
  pokerface open <folder> [--data-dir DIR] [--json]
      Scan (or rescan) a dataset folder into the database and print what was found.
  pokerface help

Options:
  --data-dir DIR   Where the database, thumbnails and exports live
                   (default: $PF_HOME, else your platform's application-data folder).
  --port N         Port to listen on (default: a free one).
  --json           Print the result as one JSON line (open).
`
