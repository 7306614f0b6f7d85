// temporary: profile one rankLabelIssues call on the 1M store (not committed)
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { cliEntry, SYNTHETIC_MODEL_ID } from './lib.mjs'
const scaleDir = '/work/pf-scale'
const env = { ...process.env, PF_MODELS_DIR: join(scaleDir, 'models') }
const flags = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : []
const server = spawn(process.execPath, [...flags, cliEntry, 'serve', '--data-dir', join(scaleDir, 'store-1000000')], {
  env,
  stdio: ['ignore', 'pipe', 'pipe']
})
const url = new Promise((ok) => {
  let out = ''
  const on = (c) => {
    out += c
    const m = /is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out)
    if (m) ok(m[1])
  }
  server.stdout.on('data', on)
  server.stderr.on('data', on)
})
const u = new URL(await url)
const call = async (name, args) => {
  const t = performance.now()
  const res = await fetch(`${u.origin}/api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pokerface-token': u.searchParams.get('token') },
    body: JSON.stringify(args)
  })
  const body = await res.json()
  if (body.error) throw new Error(body.error.message)
  return { ms: performance.now() - t, result: body.result }
}
const ds = (await call('listDatasets', {})).result[0]
for (let i = 0; i < Number(process.env.N ?? 1); i++) {
  const r = await call('rankLabelIssues', { datasetId: ds.id, modelId: SYNTHETIC_MODEL_ID })
  console.log(`rank ${(r.ms / 1000).toFixed(2)} s (app: ${r.result.durationMs} ms, ${r.result.predicted} predicted)`)
}
const q = await call('querySamples', { datasetId: ds.id, filter: {}, offset: 0, limit: 50, sort: { by: 'likelyWrong' } })
console.log(
  'top ids',
  q.result.samples
    .slice(0, 5)
    .map((s) => s.id)
    .join(',')
)
server.kill('SIGINT')
await new Promise((r) => server.once('exit', r))
