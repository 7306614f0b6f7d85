import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseCliArgs } from '@main/cli/args'
import { inShard, parseShardSpec, shardOfHash } from '@main/cluster/shard'
import { fingerprintDifferences, fingerprintEmbeddingWidth, type ModelFingerprint } from '@main/cluster/modelFingerprint'
import {
  embeddingProblem,
  missingShards,
  parseShardHeader,
  predictionProblem,
  shardSetProblems,
  type ShardHeader,
  type ShardPrediction
} from '@main/cluster/shardCheck'

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

describe('shard membership (cluster/shard.ts)', () => {
  it('is the first 12 hex digits of the content hash modulo N, as documented', () => {
    expect(shardOfHash('000000000007' + 'f'.repeat(52), 4)).toBe(3)
    expect(shardOfHash('ffffffffffff' + '0'.repeat(52), 10)).toBe(0xffffffffffff % 10)
    // Digits after the 12th do not matter: identical files (one hash) and only they decide.
    expect(shardOfHash('00000000000a' + '1'.repeat(52), 4)).toBe(shardOfHash('00000000000a' + '2'.repeat(52), 4))
    expect(() => shardOfHash('not-a-hash', 4)).toThrow(/not a content hash/)
  })

  it('puts every image in exactly one shard, in shares near 1/N', () => {
    const hashes = [...Array(8000).keys()].map((i) => sha(`face ${i}`))
    const sizes = [0, 0, 0, 0, 0]
    let notOne = 0
    for (const h of hashes) {
      const owners = [0, 1, 2, 3, 4].filter((k) => inShard(h, { index: k, count: 5 }))
      if (owners.length !== 1) notOne++
      sizes[owners[0]]++
    }
    expect(notOne).toBe(0)
    // 1,600 expected each; 5 standard deviations is ±180.
    for (const n of sizes) expect(Math.abs(n - 1600)).toBeLessThan(180)
  })

  it('parses K/N and says what is wrong with anything else', () => {
    expect(parseShardSpec('3/4')).toEqual({ index: 3, count: 4 })
    expect(parseShardSpec('0/1')).toEqual({ index: 0, count: 1 })
    expect(parseShardSpec('4/4')).toEqual({ error: expect.stringContaining('between 0 and 3') })
    expect(parseShardSpec('1/0')).toEqual({ error: expect.stringContaining('N must be between 1 and 10000') })
    expect(parseShardSpec('$SLURM_ARRAY_TASK_ID/4')).toEqual({ error: expect.stringContaining('--shard takes K/N') })
    expect(parseShardSpec('-1/4')).toEqual({ error: expect.stringContaining('--shard takes K/N') })
    expect(parseCliArgs(['infer', 'x', '--shard', '1/4']).errors).toEqual([expect.stringContaining('--shard needs --out FILE')])
    expect(parseCliArgs(['export', 'x', '--shard', '1/4', '--out', 'y']).errors).toEqual(['--shard belongs to pokerface infer'])
    expect(parseCliArgs(['merge', 'data', 'a.pfshard', 'b.pfshard'])).toMatchObject({
      folder: 'data',
      files: ['a.pfshard', 'b.pfshard'],
      errors: []
    })
    expect(parseCliArgs(['infer', 'data', 'extra']).errors).toEqual(['Unexpected argument: extra'])
    expect(parseCliArgs(['eval', 'yale', '--same-person-threshold', '0.855']).samePersonThreshold).toBe(0.855)
    expect(parseCliArgs(['eval', 'yale', '--same-person-threshold=2']).errors).toEqual([
      '--same-person-threshold needs a cosine between -1 and 1 (not "2")'
    ])
  })
})

const fingerprint = (edit: Partial<ModelFingerprint> = {}): ModelFingerprint => ({
  id: 'pfvit-x',
  version: '1.0',
  classes: ['neutral', 'happiness'],
  input: { size: 32, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'NCHW' },
  graphs: [
    {
      role: 'classify',
      file: 'classify.onnx',
      sha256: 'a'.repeat(64),
      signature: { inputs: [{ name: 'image', type: 'float32', shape: ['N', 3, 32, 32] }], outputs: [] }
    }
  ],
  ...edit
})

const header = (index: number, count: number, edit: Partial<ShardHeader> = {}): ShardHeader => ({
  shard: { index, count },
  model: fingerprint(),
  generate: true,
  datasetRoot: '/data/x',
  images: 10,
  appVersion: '0.1.0',
  host: 'node1',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...edit
})

describe('model fingerprints', () => {
  it('finds the same model the same, and names each difference', () => {
    expect(fingerprintDifferences(fingerprint(), fingerprint())).toEqual([])
    expect(fingerprintDifferences(fingerprint({ classes: ['happiness', 'neutral'] }), fingerprint())).toEqual([
      'classes [happiness, neutral], not [neutral, happiness] (class order matters)'
    ])
    const retrained = fingerprint({ graphs: [{ ...fingerprint().graphs[0], sha256: 'b'.repeat(64) }] })
    expect(fingerprintDifferences(retrained, fingerprint())).toEqual([
      'a different classify graph (classify.onnx sha256 bbbbbbbbbbbb…, here aaaaaaaaaaaa…)'
    ])
    const noGenerator = fingerprintDifferences(fingerprint(), {
      ...fingerprint(),
      graphs: [...fingerprint().graphs, { ...fingerprint().graphs[0], role: 'generate', file: 'generate.onnx' }]
    })
    expect(noGenerator).toEqual(['no generate graph, where the model here has one'])
    expect(fingerprintDifferences(fingerprint({ version: '2.0' }), fingerprint())).toEqual(['model version 2.0, not 1.0'])
  })
})

describe('shard file checks (cluster/shardCheck.ts)', () => {
  it('reads a header, and lists every missing part of a broken one', () => {
    const good = header(1, 4)
    expect(parseShardHeader(JSON.parse(JSON.stringify(good)))).toEqual(good)
    expect(parseShardHeader({ ...good, shard: { index: 4, count: 4 }, generate: 'yes', host: 3 })).toEqual({
      problems: [
        'its shard is not K/N with 0 ≤ K < N ≤ 10000: {"index":4,"count":4}',
        'it does not say whether poker faces were generated',
        'its host is missing'
      ]
    })
    expect(parseShardHeader([])).toEqual({ problems: ['its header is not a JSON object'] })
  })

  it('accepts the shards of one run, in any number, and refuses mixed runs', () => {
    const files = (...hs: ShardHeader[]) => hs.map((h, i) => ({ path: `s${i}`, header: h }))
    expect(shardSetProblems(files(header(0, 4), header(2, 4)))).toEqual([])
    expect(missingShards(files(header(0, 4), header(2, 4)))).toEqual([1, 3])
    expect(shardSetProblems(files(header(0, 4), header(1, 2)))).toEqual([
      expect.stringContaining('s1 is shard 1/2 but s0 is shard 0/4')
    ])
    expect(shardSetProblems(files(header(0, 4), header(0, 4)))).toEqual(['shard 0/4 is given twice: s0 and s1'])
    expect(shardSetProblems(files(header(0, 4), header(1, 4, { model: fingerprint({ version: '2' }) })))).toEqual([
      's1 was made by another model (or another build of it) than s0'
    ])
    expect(shardSetProblems(files(header(0, 4), header(1, 4, { generate: false })))).toEqual([
      expect.stringContaining('s1 was run without poker faces')
    ])
    expect(shardSetProblems([])).toEqual(['no shard files given'])
  })

  it('refuses rows that cannot come from this shard and model', () => {
    const h = header(0, 2)
    const hash = [...Array(50).keys()].map((i) => sha(`x${i}`)).find((x) => inShard(x, h.shard)) as string
    const other = [...Array(50).keys()].map((i) => sha(`y${i}`)).find((x) => !inShard(x, h.shard)) as string
    const row = (edit: Partial<ShardPrediction> = {}): ShardPrediction => ({
      content_hash: hash,
      probabilities: '[0.25,0.75]',
      predicted_label: 'happiness',
      confidence: 0.75,
      attention: '[]',
      generated: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      emotion_intensity: 0.1,
      ...edit
    })
    expect(predictionProblem(row(), h, true)).toBeNull()
    expect(predictionProblem(row({ content_hash: other }), h, true)).toMatch(/belongs to another shard than 0\/2/)
    expect(predictionProblem(row({ content_hash: 'abc' }), h, true)).toMatch(/is not a content hash/)
    expect(predictionProblem(row({ probabilities: '[0.1,0.2,0.7]' }), h, true)).toMatch(/not 2 numbers between 0 and 1/)
    expect(predictionProblem(row({ probabilities: '{' }), h, true)).toMatch(/not JSON/)
    expect(predictionProblem(row({ predicted_label: 'anger' }), h, true)).toMatch(/"anger" is not one of the model's classes/)
    expect(predictionProblem(row(), h, false)).toMatch(/sheet is not in the file/)
    expect(predictionProblem(row(), { ...h, generate: false }, true)).toMatch(/run without poker faces/)
  })

  it('refuses embeddings no run of the model stores, and reads the width from the classify graph', () => {
    const hash = sha('x')
    const vector = (values: number[]) => Buffer.from(Float32Array.from(values).buffer)
    const ok = { dim: 3, vector: vector([0.5, -1, 2]) }
    expect(embeddingProblem(hash, ok, 3)).toBeNull()
    expect(embeddingProblem(hash, undefined, null)).toBeNull()
    expect(embeddingProblem(hash, ok, null)).toMatch(/has an embedding, but the model that made the file has no embedding output/)
    expect(embeddingProblem(hash, undefined, 3)).toMatch(/has no embedding, but the model gives one of width 3/)
    expect(embeddingProblem(hash, { dim: 4, vector: vector([1, 2, 3, 4]) }, 3)).toMatch(/has 4 values, not the model's 3/)
    expect(embeddingProblem(hash, { dim: 3, vector: vector([1, 2]) }, 3)).toMatch(/is 8 bytes, not 3 float32 values \(12 bytes\)/)
    expect(embeddingProblem(hash, { dim: 3, vector: vector([1, Infinity, 2]) }, 3)).toMatch(/value 1 is Infinity, not a finite/)
    expect(embeddingProblem(hash, { dim: 3, vector: vector([1, 2, NaN]) }, 3)).toMatch(/value 2 is NaN/)
    // Not float32 bytes at all (a TEXT value where the BLOB belongs).
    expect(embeddingProblem(hash, { dim: 3, vector: 'abc' as unknown as Buffer }, 3)).toMatch(/is not 3 float32 values/)

    const classify = (outputs: { name: string; type: string; shape: (number | string)[] }[]) =>
      fingerprint({ graphs: [{ role: 'classify', file: 'c.onnx', sha256: 'a', signature: { inputs: [], outputs } as never }] })
    expect(fingerprintEmbeddingWidth(classify([{ name: 'embedding', type: 'float32', shape: ['N', 32] }]))).toBe(32)
    expect(fingerprintEmbeddingWidth(classify([{ name: 'logits', type: 'float32', shape: ['N', 8] }]))).toBeNull()
  })
})
