import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, type PokerFaceClient, type RequestArgs, type RequestName } from '@shared/api'
import { unwrap, type Envelope } from '@shared/envelope'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { forwardEvents, registerIpcHandlers, type IpcMainLike } from '@main/ipc/register'
import { startBrowserServer, type BrowserServer } from '@main/server/http'
import { buildBridge, type IpcRendererLike } from '../../src/preload/bridge'
import { tempDir, writePng } from '../helpers/data'

/**
 * Electron's IPC cannot run here (no Electron binary), so this pair stands in for ipcMain and
 * ipcRenderer with the one property that matters for the contract: arguments and results are
 * structured-cloned across the boundary. Everything on either side of it is the real code.
 */
function ipcPair(frameUrl: string): {
  main: IpcMainLike
  renderer: IpcRendererLike
  sender: { send(c: string, ...a: unknown[]): void }
} {
  const handlers = new Map<string, (event: never, ...args: unknown[]) => unknown>()
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>()
  return {
    main: {
      handle: (channel, fn) => void handlers.set(channel, fn as never),
      removeHandler: (channel) => void handlers.delete(channel)
    },
    renderer: {
      invoke: async (channel, ...args) => {
        const fn = handlers.get(channel)
        if (!fn) throw new Error(`No handler registered for '${channel}'`)
        return structuredClone(await fn({ senderFrame: { url: frameUrl }, sender: null } as never, ...structuredClone(args)))
      },
      on: (channel, fn) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn)),
      removeListener: (channel, fn) => listeners.get(channel)?.delete(fn)
    },
    sender: { send: (channel, ...args) => listeners.get(channel)?.forEach((fn) => fn({}, ...structuredClone(args))) }
  }
}

function ipcClient(renderer: IpcRendererLike): Pick<PokerFaceClient, 'call' | 'on'> {
  const bridge = buildBridge(renderer)
  return {
    async call(name, args) {
      return unwrap(await (bridge[name] as (a: unknown) => Promise<Envelope<unknown>>)(args)) as never
    },
    on: (event, listener) => bridge.on(event, listener)
  }
}

function httpCall(
  server: BrowserServer,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {}
) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        let body = ''
        res.setEncoding('latin1')
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      }
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

function httpClient(server: BrowserServer): Pick<PokerFaceClient, 'call'> {
  return {
    async call(name, args) {
      const res = await httpCall(server, `/api/call/${name}`, {
        method: 'POST',
        body: JSON.stringify(args),
        headers: { 'content-type': 'application/json', 'x-pokerface-token': server.token }
      })
      const body = JSON.parse(Buffer.from(res.body, 'latin1').toString('utf8'))
      if (body.error) throw new ApiError(body.error.code, body.error.message, body.error.field)
      return body.result
    }
  }
}

/** Fields that legitimately differ between two runs (times, per-run folders). */
function normalise(value: unknown, dataDir: string): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v) => (['openedAt', 'durationMs', 'at', 'dataDir'].includes(key) ? '<varies>' : v))
      .split(dataDir)
      .join('<data>')
      .replace(/\d{8}-\d{6}/g, '<time>')
  )
}

type Step = { [N in RequestName]: [N, RequestArgs<N>] }[RequestName]

describe('one API, two transports', () => {
  let root: string
  const contexts: AppContext[] = []
  let server: BrowserServer

  beforeAll(async () => {
    root = await tempDir('pf-contract-')
    await writePng(join(root, 'happy', 'a.png'), 10)
    await writePng(join(root, 'happy', 'b.png'), 20)
    await writePng(join(root, 'sad', 'c.png'), 30)
  })
  afterAll(async () => {
    await server?.close()
    await Promise.all(contexts.map(closeContext))
  })

  it('answers the same requests with the same results over IPC and over HTTP', async () => {
    const ipcCtx = createContext(await tempDir('pf-ipc-'), '0.0.0')
    const httpCtx = createContext(await tempDir('pf-http-'), '0.0.0')
    contexts.push(ipcCtx, httpCtx)

    const pair = ipcPair('file:///app/index.html')
    registerIpcHandlers(pair.main, createApiHandlers(ipcCtx), (e) => e.senderFrame?.url === 'file:///app/index.html')
    forwardEvents(ipcCtx.events, () => pair.sender)
    server = await startBrowserServer(httpCtx, createApiHandlers(httpCtx))

    const exportPath = (ctx: AppContext) => join(ctx.dataDir, 'out.csv')
    const steps = (ctx: AppContext): Step[] => [
      ['getAppInfo', {}],
      ['openDataset', { root }],
      ['querySamples', { datasetId: 1, filter: {}, offset: 0, limit: 10 }],
      ['setLabel', { datasetId: 1, sampleIds: [1, 2], label: 'fear' }],
      ['querySamples', { datasetId: 1, filter: { changedOnly: true }, offset: 0, limit: 10 }],
      ['undo', { datasetId: 1 }],
      ['redo', { datasetId: 1 }],
      ['getUndoState', { datasetId: 1 }],
      ['getSample', { sampleId: 2 }],
      ['getDataset', { datasetId: 1 }],
      ['listProblems', { datasetId: 1 }],
      ['listDatasets', {}],
      ['exportLabels', { datasetId: 1, format: 'csv', path: exportPath(ctx), overwrite: false }],
      ['exportLabels', { datasetId: 1, format: 'csv', path: exportPath(ctx), overwrite: false }], // exists → error
      ['suggestExportPath', { datasetId: 1, format: 'imagefolder' }],
      ['getSample', { sampleId: 999 }], // not found → error
      ['setLabel', { datasetId: 1, sampleIds: [], label: 'fear' }], // bad request → error
      // F12: a wrong argument shape is refused at the shared edge, naming the field, on both transports alike.
      ['getPrediction', { sampleId: { a: 1 } as never }]
    ]
    const run = async (client: Pick<PokerFaceClient, 'call'>, ctx: AppContext) => {
      const out: unknown[] = []
      for (const [name, args] of steps(ctx)) {
        try {
          out.push({ ok: normalise(await client.call(name, args as never), ctx.dataDir) })
          // The duplicate search runs behind the open: both transports see its groups.
          if (name === 'openDataset') await ctx.duplicateSearches.settled(1)
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError)
          const { code, field } = err as ApiError
          out.push({ error: code, field, message: normalise((err as ApiError).message, ctx.dataDir) })
        }
      }
      return out
    }

    const scanEvents: unknown[] = []
    const viaIpc = ipcClient(pair.renderer)
    viaIpc.on('scanProgress', (p) => scanEvents.push(p))
    const ipcResults = await run(viaIpc, ipcCtx)
    const httpResults = await run(httpClient(server), httpCtx)

    expect(ipcResults).toEqual(httpResults)
    expect(ipcResults.filter((r) => 'error' in (r as object)).map((r) => (r as { error: string }).error)).toEqual([
      'exists',
      'not_found',
      'bad_request',
      'bad_request'
    ])
    expect(ipcResults.at(-1)).toMatchObject({ error: 'bad_request', field: 'sampleId' })
    expect(scanEvents.at(-1)).toMatchObject({ phase: 'done' })
    // The contract itself, as a reviewable snapshot: any change to it shows up as a diff.
    expect(Object.keys(createApiHandlers(ipcCtx)).sort()).toMatchInlineSnapshot(`
      [
        "acceptSuggestions",
        "addModel",
        "cancelInference",
        "cancelScan",
        "declareOutOfSample",
        "detectFormat",
        "exportLabels",
        "extractFaces",
        "getAppInfo",
        "getDataset",
        "getDatasetFormat",
        "getEmbeddingMap",
        "getInferenceJob",
        "getPrediction",
        "getReviewMetrics",
        "getSample",
        "getSampleReview",
        "getUndoState",
        "keepDuplicate",
        "listDatasets",
        "listFormats",
        "listModels",
        "listProblems",
        "locateSample",
        "moreLikeThis",
        "openDataset",
        "querySamples",
        "rankLabelIssues",
        "redo",
        "setLabel",
        "setNote",
        "setReviewFlag",
        "startInference",
        "suggestExportPath",
        "undo",
      ]
    `)
  })

  it('refuses IPC calls from frames other than the app page', async () => {
    const ctx = createContext(await tempDir('pf-ipc2-'), '0.0.0')
    contexts.push(ctx)
    const pair = ipcPair('https://evil.example/')
    registerIpcHandlers(pair.main, createApiHandlers(ctx), (e) => e.senderFrame?.url === 'file:///app/index.html')
    await expect(ipcClient(pair.renderer).call('listDatasets', {})).rejects.toThrow(/untrusted frame/)
  })

  it('guards browser mode: token on every route, loopback Host only, no listings', async () => {
    const token = server.token
    const host = `127.0.0.1:${server.port}`
    const json = { 'content-type': 'application/json', host }
    expect((await httpCall(server, '/api/call/listDatasets', { method: 'POST', body: '{}', headers: json })).status).toBe(401)
    expect(
      (
        await httpCall(server, '/api/call/listDatasets', {
          method: 'POST',
          body: '{}',
          headers: { ...json, 'x-pokerface-token': 'wrong' }
        })
      ).status
    ).toBe(401)
    expect((await httpCall(server, '/media/thumb/1', { headers: { host } })).status).toBe(401)
    expect((await httpCall(server, '/api/events', { headers: { host } })).status).toBe(401)
    expect((await httpCall(server, '/media/thumb/1', { headers: { host, 'x-pokerface-token': token } })).status).toBe(200)
    expect(
      (await httpCall(server, '/media/full/1', { headers: { host, cookie: `pf_token_${server.port}=${token}` } })).headers[
        'content-type'
      ]
    ).toBe('image/png')
    expect(
      (await httpCall(server, '/', { headers: { host: `evil.example:${server.port}`, 'x-pokerface-token': token } })).status
    ).toBe(403)
    expect(
      (
        await httpCall(server, '/api/call/listDatasets', {
          method: 'POST',
          body: '{}',
          headers: { ...json, 'content-type': 'text/plain', 'x-pokerface-token': token }
        })
      ).status
    ).toBe(415)
    expect((await httpCall(server, '/assets/', { headers: { host, 'x-pokerface-token': token } })).status).toBe(404)
    expect((await httpCall(server, '/media/thumb/99999', { headers: { host, 'x-pokerface-token': token } })).status).toBe(404)
  })
})
