/**
 * The globals src/shared may use: only those that Node and browsers both provide. tsconfig.shared.json
 * loads neither Node's nor the DOM's declarations, so any other global (process, Buffer, document,
 * window) fails to type-check there. Only the members shared code calls are declared; main and
 * the renderer see the full declarations from @types/node and the DOM library instead.
 */

interface TextDecoder {
  decode(input?: Uint8Array): string
}
declare var TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder }

interface TextEncoder {
  encode(input?: string): Uint8Array
}
declare var TextEncoder: { new (): TextEncoder }
