/**
 * Issue #18, "Server and API": every request's arguments are checked once, at the edge both
 * transports share, and answered 400 naming the wrong field (F12); labels have one definition of
 * what is allowed, for setLabel and for the label-file readers alike (F13). Everything here is
 * real: the HTTP server on a loopback port, the IPC wiring with structured cloning, SQLite on
 * disk, images made by sharp, label files read by the scanner.
 */
import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestName } from '@shared/api'
import type { Envelope } from '@shared/envelope'
import { IPC_CALL_PREFIX } from '@shared/envelope'
import { imageFolderMoves } from '@shared/formats/imagefolder'
import { closeContext, createContext, type AppContext } from '@main/api/context'
import { createApiHandlers } from '@main/api/service'
import { cleanedTreePlaces } from '@main/datasets/exportFormats'
import { registerIpcHandlers, type IpcMainLike } from '@main/ipc/register'
import { startBrowserServer, type BrowserServer } from '@main/server/http'
import { setLabels } from '@main/store/labels'
import { tempDir, writePng } from '../helpers/data'

interface Answer {
  status: number
  body: { result?: unknown; error?: { code: string; message: string; field?: string } }
}

/** A request with the body exactly as given (not re-serialised), as a script or a hostile page would send it. */
function post(server: BrowserServer, name: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: `/api/call/${name}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-pokerface-token': server.token }
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

function get(server: BrowserServer, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { 'x-pokerface-token': server.token } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** ipcMain as the app registers it, called the way Electron does: arguments structured-cloned. */
function ipcInvoker(ctx: AppContext): (name: RequestName, args: unknown) => Promise<Envelope<unknown>> {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const ipcMain: IpcMainLike = {
    handle: (channel, fn) => void handlers.set(channel, fn as never),
    removeHandler: (channel) => void handlers.delete(channel)
  }
  registerIpcHandlers(ipcMain, createApiHandlers(ctx), () => true)
  return async (name, args) =>
    structuredClone(
      (await handlers.get(IPC_CALL_PREFIX + name)!(
        { senderFrame: { url: 'file:///app/index.html' }, sender: null },
        structuredClone(args)
      )) as Envelope<unknown>
    )
}

describe('one validation edge (issue #18, server and API)', () => {
  let root: string
  let ctx: AppContext
  let server: BrowserServer
  let ipc: ReturnType<typeof ipcInvoker>

  beforeAll(async () => {
    root = await tempDir('pf-validate-')
    await writePng(join(root, 'test', 'happy', 'a.png'), 10)
    await writePng(join(root, 'test', 'sad', 'b.png'), 20)
    ctx = createContext(await tempDir('pf-validate-home-'), '0.0.0')
    server = await startBrowserServer(ctx, createApiHandlers(ctx))
    ipc = ipcInvoker(ctx)
    const opened = await post(server, 'openDataset', JSON.stringify({ root }))
    expect(opened.status).toBe(200)
  })
  afterAll(async () => {
    await server?.close()
    if (ctx) await closeContext(ctx)
  })

  /** The same wrong request over both transports: 400 / bad_request, naming the same field. */
  async function expectRefused(name: RequestName, body: string, field: string): Promise<string> {
    const http = await post(server, name, body)
    expect(http.status, `${name} ${body.slice(0, 80)}`).toBe(400)
    expect(http.body.error?.code).toBe('bad_request')
    expect(http.body.error?.field).toBe(field)
    expect(http.body.error?.message).toContain(field)
    const viaIpc = await ipc(name, JSON.parse(body))
    expect(viaIpc).toMatchObject({ ok: false, error: { code: 'bad_request', field } })
    return http.body.error?.message ?? ''
  }

  it('F12: getPrediction with sampleId {a:1} answers 400 naming sampleId, not 500', async () => {
    await expectRefused('getPrediction', JSON.stringify({ sampleId: { a: 1 } }), 'sampleId')
  })

  it('F12: getPrediction with sampleId [1,2], or a list as the whole body, answers 400', async () => {
    await expectRefused('getPrediction', JSON.stringify({ sampleId: [1, 2] }), 'sampleId')
    await expectRefused('getPrediction', '[1,2]', '(arguments)')
  })

  it('F12: querySamples with filter.split {a:1} answers 400 naming filter.split', async () => {
    const body = { datasetId: 1, filter: { split: { a: 1 } }, offset: 0, limit: 10 }
    await expectRefused('querySamples', JSON.stringify(body), 'filter.split')
  })

  it('F12: a null body answers 400, for requests with and without arguments', async () => {
    await expectRefused('getSample', 'null', '(arguments)')
    await expectRefused('listDatasets', 'null', '(arguments)')
  })

  it('F12: a NUL in an export path answers 400 naming path, and writes nothing', async () => {
    const target = join(ctx.dataDir, 'nul\0.csv')
    const body = { datasetId: 1, format: 'csv', path: target, overwrite: false }
    await expectRefused('exportLabels', JSON.stringify(body), 'path')
    expect(existsSync(join(ctx.dataDir, 'nul'))).toBe(false)
  })

  it('F12: a malformed percent-escape in /model-media/ answers 400, not 500', async () => {
    const res = await get(server, '/model-media/%E0%A4%A/poker_face/1')
    expect(res.status).toBe(400)
    expect(res.text).toContain('modelId')
  })

  it('lets a well-formed request through the edge unchanged', async () => {
    const page = await post(
      server,
      'querySamples',
      JSON.stringify({ datasetId: 1, filter: { split: 'test' }, offset: 0, limit: 10 })
    )
    expect(page.status).toBe(200)
    expect((page.body.result as { total: number }).total).toBe(2)
  })

  it.each([
    ['a path that climbs out', '../../../../outside/pwned'],
    ['a tab', 'happy\tsad'],
    ['a newline', 'happy\nsad'],
    ['a 500 kB string', 'x'.repeat(500_000)]
  ])('F13: setLabel refuses %s with 400 naming label, and changes nothing', async (_what, label) => {
    const message = await expectRefused('setLabel', JSON.stringify({ datasetId: 1, sampleIds: [1], label }), 'label')
    // The message names the rule, and never echoes a 500 kB label back.
    expect(message.length).toBeLessThan(500)
    const page = await post(
      server,
      'querySamples',
      JSON.stringify({ datasetId: 1, filter: { changedOnly: true }, offset: 0, limit: 10 })
    )
    expect((page.body.result as { total: number }).total).toBe(0)
    const undo = await post(server, 'getUndoState', JSON.stringify({ datasetId: 1 }))
    expect(undo.body.result).toEqual({ canUndo: false, canRedo: false })
  })

  it('still takes class names with inner spaces, accents or a plus as labels', async () => {
    for (const label of ['happily surprised', 'überrascht', 'AU6+AU12']) {
      const res = await post(server, 'setLabel', JSON.stringify({ datasetId: 1, sampleIds: [1], label }))
      expect(res.status, label).toBe(200)
    }
    await post(server, 'setLabel', JSON.stringify({ datasetId: 1, sampleIds: [1], label: 'happiness' }))
  })

  it('F13: a hostile labels.csv has each bad label refused with its own line; the other rows load', async () => {
    const hostile = await tempDir('pf-hostile-csv-')
    for (const [i, name] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) await writePng(join(hostile, `${name}.png`), 30 + i)
    const rows = [
      'path,label',
      'a.png,happy',
      'b.png,../../../../outside/pwned',
      'c.png,"tab\there"',
      'd.png,"carriage\rreturn"',
      `e.png,${'x'.repeat(500_000)}`,
      'f.png,sad'
    ]
    await writeFile(join(hostile, 'labels.csv'), rows.join('\n') + '\n')
    const options = { labelFiles: ['labels.csv'], pathColumn: 'path', labelColumn: 'label', hasHeader: true, delimiter: ',' }
    const opened = await post(server, 'openDataset', JSON.stringify({ root: hostile, format: 'csv', options }))
    expect(opened.status).toBe(200)
    const { dataset, report } = opened.body.result as {
      dataset: { id: number; sampleCount: number; labels: string[] }
      report: { problems: { relPath: string; line?: number; reason: string }[] }
    }
    // Every image is a sample; only the two good labels are labels.
    expect(dataset.sampleCount).toBe(6)
    expect(dataset.labels.sort()).toEqual(['happiness', 'sadness'])
    const refused = report.problems.filter((p) => p.relPath === 'labels.csv' && /refused/.test(p.reason))
    expect(refused.map((p) => p.line)).toEqual([3, 4, 5, 6])
    for (const p of refused) expect(p.reason.length, p.reason.slice(0, 80)).toBeLessThan(500)
    const page = await post(server, 'querySamples', JSON.stringify({ datasetId: dataset.id, filter: {}, offset: 0, limit: 10 }))
    const samples = (page.body.result as { samples: { relPath: string; originalLabel: string | null }[] }).samples
    expect(Object.fromEntries(samples.map((s) => [s.relPath, s.originalLabel]))).toEqual({
      'a.png': 'happiness',
      'b.png': null,
      'c.png': null,
      'd.png': null,
      'e.png': null,
      'f.png': 'sadness'
    })
  })

  it('F13: an ImageFolder class folder whose name holds a tab or line break loads its images unlabelled, and says why', async () => {
    const tree = await tempDir('pf-hostile-folders-')
    await writePng(join(tree, 'happy', 'a.png'), 10)
    await writePng(join(tree, 'bad\tname', 'b.png'), 20)
    await writePng(join(tree, 'line\nbreak', 'c.png'), 30)
    const opened = await post(server, 'openDataset', JSON.stringify({ root: tree, format: 'imagefolder' }))
    expect(opened.status).toBe(200)
    const { dataset, report } = opened.body.result as {
      dataset: { sampleCount: number; labels: string[] }
      report: { problems: { relPath: string; reason: string }[] }
    }
    expect(dataset.sampleCount).toBe(3)
    expect(dataset.labels).toEqual(['happiness'])
    const refused = report.problems.filter((p) => /cannot be a label/.test(p.reason)).map((p) => p.relPath)
    expect(refused.sort()).toEqual(['bad\tname/b.png', 'line\nbreak/c.png'])
  })

  it('F13: the ImageFolder exports refuse a label that slipped into the database before labels were checked', async () => {
    // An older version's database: written straight into SQLite, past the edge.
    setLabels(ctx.db, 1, [2], '../../../../outside/pwned')
    const target = join(ctx.dataDir, 'exports', 'moves.tsv')
    const res = await post(
      server,
      'exportLabels',
      JSON.stringify({ datasetId: 1, format: 'imagefolder', path: target, overwrite: false })
    )
    expect(res.status).toBe(400)
    expect(res.body.error?.message).toMatch(/Relabel it first/)
    expect(existsSync(target)).toBe(false)
    setLabels(ctx.db, 1, [2], 'sadness')

    const sample = { id: 1, relPath: 'test/happy/a.png', split: 'test' as const, originalLabel: 'happiness', size: 1 }
    // A dataset of another format lays its tree out as <split>/<label>/<file>.
    expect(() => cleanedTreePlaces([{ ...sample, currentLabel: 'x\ty' }], 'ferplus', new Map())).toThrow(/unsafe/)
    expect(() =>
      imageFolderMoves([{ relPath: 'test/happy/a.png', originalLabel: 'happiness', currentLabel: '..' }], new Map())
    ).toThrow(/Relabel it first/)
  })
})
