/**
 * The desktop app's own arguments (`[folder] [--data-dir DIR]`) out of an Electron argv. Electron and Chromium add their
 * switches (`--inspect=0`, `--remote-debugging-port=0`, `--no-sandbox`, macOS's `-psn_…`), and in
 * development argv also holds the app folder (`electron . <folder>`); none of those may reach the
 * `pokerface` parser, where they would be read as a dataset folder or an unknown option.
 */
const OWN_FLAGS_WITH_VALUE = new Set(['--data-dir'])

export function desktopArgs(argv: readonly string[], isPackaged: boolean): string[] {
  const rest = argv.slice(1) // the executable
  if (!isPackaged) {
    // `electron [switches] <app folder> [args]`: drop everything up to the app folder.
    const appIndex = rest.findIndex((a) => !a.startsWith('-'))
    rest.splice(0, appIndex + 1)
  }
  const out: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]
    const flag = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg
    if (OWN_FLAGS_WITH_VALUE.has(flag)) {
      out.push(arg)
      if (!arg.includes('=') && i + 1 < rest.length) out.push(rest[++i])
    } else if (!arg.startsWith('-')) out.push(arg)
    // Anything else is a Chromium or Electron switch: theirs, not ours.
  }
  return out
}
