/**
 * Import rules that keep the four processes apart (`npm run lint:deps`, part of `npm test`).
 * Each process runs somewhere else: main under Node (and Electron), the preload sandboxed in the
 * page, the renderer in a browser (Electron's or Chromium in browser mode), shared in all three.
 * Code that crosses is either dead weight in a bundle or a crash at run time, so a wrong import
 * fails here, not in a review. What the processes share lives in src/shared.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */

/** Node's built-in modules and the packages that only work under Node or Electron's main. */
const NODE_ONLY = {
  dependencyTypes: ['core']
}
const NATIVE_OR_ELECTRON_PACKAGES = '^node_modules/(electron|better-sqlite3|onnxruntime-node|sharp)/'

module.exports = {
  forbidden: [
    {
      name: 'renderer-imports-other-process',
      severity: 'error',
      comment:
        'The renderer runs in a page and reaches main only through its client (src/renderer/src/client). ' +
        'Move what both sides need into src/shared.',
      from: { path: '^src/renderer/' },
      to: { path: '^src/', pathNot: '^src/(renderer|shared)/' }
    },
    {
      name: 'renderer-imports-node',
      severity: 'error',
      comment: 'The page has no Node: not in browser mode, and not in the sandboxed Electron window.',
      from: { path: '^src/renderer/' },
      to: NODE_ONLY
    },
    {
      name: 'renderer-imports-native-or-electron',
      severity: 'error',
      comment: 'Native modules and Electron load only in main; the page asks main over the API.',
      from: { path: '^src/renderer/' },
      to: { path: NATIVE_OR_ELECTRON_PACKAGES }
    },
    {
      name: 'preload-imports-other-process',
      severity: 'error',
      comment: 'The preload exposes the typed bridge and nothing else; its contract lives in src/shared.',
      from: { path: '^src/preload/' },
      to: { path: '^src/', pathNot: '^src/(preload|shared)/' }
    },
    {
      name: 'preload-imports-node-or-packages',
      severity: 'error',
      comment:
        "A sandboxed preload can require only Electron's renderer modules: Node's built-ins and " +
        'packages fail when the window loads.',
      from: { path: '^src/preload/' },
      to: {
        dependencyTypesNot: ['local', 'aliased', 'aliased-tsconfig', 'aliased-tsconfig-paths'],
        pathNot: '^node_modules/electron/'
      }
    },
    {
      name: 'shared-imports-outside-shared',
      severity: 'error',
      comment: 'Shared code runs in every process, so it may import only other shared code.',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' }
    },
    {
      name: 'shared-imports-node',
      severity: 'error',
      comment: 'Shared code runs in the page too: no Node built-ins.',
      from: { path: '^src/shared/' },
      to: NODE_ONLY
    },
    {
      name: 'shared-imports-native-or-electron',
      severity: 'error',
      comment: 'Shared code runs in the page too: no native modules, no Electron.',
      from: { path: '^src/shared/' },
      to: { path: NATIVE_OR_ELECTRON_PACKAGES }
    },
    {
      name: 'main-imports-page-code',
      severity: 'error',
      comment: 'Main never runs page code; what it shares with the page lives in src/shared.',
      from: { path: '^src/main/' },
      to: { path: '^src/(renderer|preload)/' }
    },
    {
      name: 'cli-reaches-electron',
      severity: 'error',
      comment:
        'The CLI and browser mode run the same services under plain Node (out/main/cli.js), where ' +
        'there is no Electron to import; Electron-only code stays behind src/main/index.ts.',
      from: { path: '^src/main/cli/' },
      to: { path: '^node_modules/electron/', reachable: true }
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order decide what is undefined at import time, and blurs who owns what.',
      from: {},
      // A cycle closed only by a type import vanishes at run time; zustand's slice pattern needs
      // one (reviewSlice.ts types its getter with the whole store that store.ts builds from it).
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } }
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a renderer that imports a main type still couples the two.
    tsPreCompilationDeps: true,
    // The @shared, @main and @renderer aliases (the same ones electron-vite and vitest use).
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings']
    }
  }
}
