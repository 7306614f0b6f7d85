/**
 * docs/cluster.md's Slurm recipe, run for real: a 4-task job array (`sbatch --array=0-3`) of
 * `pokerface infer --shard $SLURM_ARRAY_TASK_ID/4` over a few hundred faces, one task killed midway
 * on its first attempt and requeued by Slurm (`scontrol requeue`), then `pokerface merge`; the store
 * must equal one local run's. Runs where a Slurm controller answers (`npm run test:slurm` starts a
 * single-node one with scripts/slurm-up); elsewhere it is skipped with that advice.
 */
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { describe, expect, it } from 'vitest'
import { copyFaceFixture, tempDir } from '../helpers/data'
import { HAS_BUILD } from '../helpers/browser'
import { embedAndGenerateModel } from '../helpers/models'
import { CLI, pokerface, storeSnapshot } from '../helpers/shards'

function slurmAnswers(): boolean {
  const r = spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 15_000 })
  return r.status === 0 && /is UP/.test(r.stdout)
}

const SKIP = !HAS_BUILD
  ? 'no build in out/ (run npm run build)'
  : !slurmAnswers()
    ? 'no Slurm controller answers `scontrol ping`: run `npm run test:slurm` (as root; scripts/slurm-up installs Debian slurm-wlm + munge and starts a single-node cluster)'
    : null
// `npm run test:slurm` has just started a cluster: there, not finding one is a failure, not a skip.
if (SKIP && process.env.PF_REQUIRE_SLURM) throw new Error(`[slurm-array] ${SKIP}`)
if (SKIP) console.warn(`[slurm-array] skipped: ${SKIP}`)

/** 13 variants of each fixture face (flips, turns, tones): 299 images, every one its own hash. */
async function buildFaces(root: string): Promise<number> {
  const base = join(root, '..', 'fixture')
  const faces = await copyFaceFixture(base)
  const variants: ((s: Sharp) => Sharp)[] = [
    (s) => s,
    (s) => s.flop(),
    (s) => s.flip(),
    (s) => s.rotate(90),
    (s) => s.rotate(180),
    (s) => s.rotate(270),
    (s) => s.flop().rotate(90),
    (s) => s.modulate({ brightness: 0.8 }),
    (s) => s.modulate({ brightness: 1.2 }),
    (s) => s.blur(1),
    (s) => s.median(3),
    (s) => s.negate({ alpha: false }),
    (s) => s.linear(1.1, -10)
  ]
  let n = 0
  for (const face of faces) {
    const [split, folder, name] = face.relPath.split('/')
    await mkdir(join(root, split, folder), { recursive: true })
    for (const [i, v] of variants.entries()) {
      await v(sharp(join(base, face.relPath)))
        .png()
        .toFile(join(root, split, folder, name.replace('.png', `_v${i}.png`)))
      n++
    }
  }
  return n
}

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 })

/** Each array task's line of `scontrol show job -o`: its state, exit code and restarts. */
function arrayTasks(jobId: string): { task: number; state: string; exit: string; restarts: number }[] {
  const r = sh('scontrol', ['show', 'job', '-o', jobId])
  return r.stdout
    .split('\n')
    .filter((l) => /ArrayTaskId=\d+\b/.test(l))
    .map((l) => ({
      task: Number(/ArrayTaskId=(\d+)/.exec(l)?.[1]),
      state: /JobState=(\S+)/.exec(l)?.[1] ?? '?',
      exit: /\bExitCode=(\S+)/.exec(l)?.[1] ?? '?',
      restarts: Number(/Restarts=(\d+)/.exec(l)?.[1] ?? 0)
    }))
    .sort((a, b) => a.task - b.task)
}

describe.skipIf(SKIP !== null)('a Slurm job array of pokerface infer --shard, then pokerface merge', () => {
  it('gives the store one local run gives, with a task killed midway and requeued', { timeout: 900_000 }, async () => {
    const work = await tempDir('pf-slurm-')
    // Poker faces and embeddings: the shard files carry both, and the merge finds the neighbours.
    const model = await embedAndGenerateModel()
    const dataset = join(work, 'faces')
    const images = await buildFaces(dataset)
    const [shards, logs, scratch] = ['shards', 'logs', 'scratch'].map((d) => join(work, d))
    for (const d of [shards, logs, scratch]) await mkdir(d, { recursive: true })

    // The job script of docs/cluster.md, plus the kill: task 1's first attempt kills its own run
    // (kill -9, as a node failure would) once it has stored some results, and asks Slurm to requeue it.
    const script = join(work, 'infer-array.sh')
    await writeFile(
      script,
      `#!/bin/bash
#SBATCH --job-name=pf-infer
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=${logs}/task-%a.out
set -euo pipefail
K=$SLURM_ARRAY_TASK_ID
WORK=${scratch}/task-$K
INFER=(node ${CLI} infer ${dataset} --shard "$K/4" --out ${shards}/shard-$K.pfshard --data-dir "$WORK"
       --model ${model} --batch 1 --threads 1)
echo "attempt \${SLURM_RESTART_COUNT:-0} of task $K"
if [ "$K" = 1 ] && [ "\${SLURM_RESTART_COUNT:-0}" = 0 ]; then
  # A simple command in the background: $! is node's own pid, so kill -9 hits the run itself.
  "\${INFER[@]}" & pid=$!
  # Step it in 20 ms slices, stopped while counting: on an idle machine the whole shard takes about
  # 0.2 s, so a plain 0.2 s poll could see it finished (CI did) and the kill would not be midway.
  while kill -0 $pid 2>/dev/null; do
    sleep 0.02
    kill -STOP $pid 2>/dev/null || break
    [ "$(find "$WORK/cache" -name '*.png' 2>/dev/null | wc -l)" -ge 12 ] && break
    kill -CONT $pid
  done
  kill -9 $pid
  wait $pid || true
  echo "killed the run midway"
  scontrol requeue "\${SLURM_ARRAY_JOB_ID}_$K"
  sleep 600
fi
"\${INFER[@]}"
`
    )
    await chmod(script, 0o755)

    const submitted = sh('sbatch', ['--parsable', script])
    expect(submitted.status, submitted.stderr).toBe(0)
    const jobId = submitted.stdout.trim().split(';')[0]

    // The local run for comparison, while the array runs.
    const local = await tempDir('pf-slurm-local-')
    const reference = pokerface(['infer', dataset, '--model', model, '--batch', '1', '--threads', '1', '--data-dir', local])
    expect(reference.code, reference.stderr).toBe(0)

    // Wait for the array to leave the queue (a guard against a hung cluster, not a timing check).
    const heldSince = new Map<string, number>()
    for (let i = 0; i < 1200; i++) {
      const q = sh('squeue', ['-h', '-j', jobId, '-o', '%i %r'])
      if (q.status === 0 && q.stdout.trim() === '') break
      // Slurm keeps a requeued job from starting for two minutes (its BeginTime); a real cluster
      // waits them out, the test lets it go after a few seconds. Not at once: slurmd refuses a
      // launch within the second its last attempt's credential was revoked ("Job credential
      // revoked": the task then fails without running, as CI saw once).
      for (const [id] of q.stdout
        .split('\n')
        .map((l) => l.trim().split(' '))
        .filter(([, reason]) => reason === 'BeginTime')) {
        if (!heldSince.has(id)) heldSince.set(id, Date.now())
        if (Date.now() - (heldSince.get(id) as number) >= 3000) sh('scontrol', ['update', `JobId=${id}`, 'StartTime=now'])
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    const tasks = arrayTasks(jobId)
    const taskLogs = Object.fromEntries(
      await Promise.all((await readdir(logs)).map(async (f) => [f, await readFile(join(logs, f), 'utf8')]))
    )
    const why = JSON.stringify({ tasks, taskLogs }, null, 1)
    expect(
      tasks.map((t) => [t.task, t.state, t.exit]),
      why
    ).toEqual([0, 1, 2, 3].map((k) => [k, 'COMPLETED', '0:0']))
    expect(tasks.find((t) => t.task === 1)?.restarts, why).toBe(1)
    const task1 = taskLogs['task-1.out']
    expect(task1, why).toContain('killed the run midway')
    // The requeued attempt resumed in its store: some images were already done, the rest computed.
    const resumed = /running on cpu with 1 threads; (\d+) of (\d+) images already done/.exec(task1.split('attempt 1')[1] ?? '')
    expect(resumed, why).not.toBeNull()
    expect(Number(resumed?.[1])).toBeGreaterThan(0)
    expect(Number(resumed?.[1])).toBeLessThan(Number(resumed?.[2]))

    const merged = await tempDir('pf-slurm-merged-')
    const files = [0, 1, 2, 3].map((k) => join(shards, `shard-${k}.pfshard`))
    const r = pokerface(['merge', dataset, ...files, '--model', model, '--data-dir', merged, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const added = (r.json().files as { added: number; uncovered: number }[]).reduce((a, f) => a + f.added + f.uncovered, 0)
    expect(added).toBe(images)
    const got = storeSnapshot(merged)
    expect(got.predictions).toHaveLength(images)
    expect(new Set(got.predictions.map((p) => (p as { content_hash: string }).content_hash)).size).toBe(images)
    // Task 1's killed attempt stored some embeddings before its death; the file has them all.
    expect(got.embeddings).toHaveLength(images)
    expect(Object.keys(Object.values(got.neighbours)[0] ?? {})).toHaveLength(images)
    expect(got.ranking.some((row) => (row as { neighbour_disagreement: number | null }).neighbour_disagreement !== null)).toBe(
      true
    )
    expect(got).toEqual(storeSnapshot(local))
  })
})
