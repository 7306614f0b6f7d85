import { useEffect, useRef, useState } from 'react'
import type { SamplePrediction } from '@shared/inference'
import { pokerFaceVerdict, type ModelImageKind } from '@shared/models'
import { COMPARE_MODES, type CompareMode } from '@shared/shortcuts'
import { useInference } from '../../useInference'
import { useReview, useReviewStore } from '../../useReview'

export const MODE_NAMES: Record<CompareMode, string> = {
  original: 'Original',
  poker_face: 'Poker face',
  emotion_map: 'Emotion map',
  wipe: 'Wipe',
  blink: 'Blink',
  reconstruction: 'Recon\u00adstruction', // soft hyphen: breaks in the narrow strip, invisible elsewhere
  emotion_component: 'Emotion component'
}

const BLINK_MS = 600
/** Views shown side by side as small faces under the stage; wipe and blink are plain buttons. */
const STRIP: readonly CompareMode[] = ['original', 'reconstruction', 'poker_face', 'emotion_component', 'emotion_map']

/** The modes a sample can show: generated views only where the run generated them. */
export function availableModes(prediction: SamplePrediction | null): CompareMode[] {
  const has = (kind: ModelImageKind): boolean => !!prediction && !prediction.error && prediction.images.includes(kind)
  return COMPARE_MODES.filter((m) => m === 'original' || (m === 'wipe' || m === 'blink' ? has('poker_face') : has(m)))
}

/** Views that show what the generator made: its card's verdict is shown beside them. */
const GENERATED_VIEWS: readonly CompareMode[] = ['poker_face', 'wipe', 'blink', 'emotion_map', 'emotion_component']

/** The model card's poker-face verdict, so a failed separation is never presented as a neutral face. */
function SeparationNote({ metrics }: { metrics: unknown }): React.JSX.Element {
  const verdict = pokerFaceVerdict(metrics)
  return (
    <p className={`separation-note ${verdict.separated ? 'ok' : 'warn'}`} data-testid="separation-note" role="note">
      {verdict.line}
    </p>
  )
}

/**
 * The face and what PF-ViT made of it, on one stage: the original, its reconstruction, poker face
 * and emotion component; the emotion map laid over the original (opacity slider); and a wipe or a
 * blink between the original and the poker face, where a changed mouth or brow jumps out. Faces
 * are drawn square, as the model sees them, so the overlay and the wipe line up pixel for pixel.
 */
export function CompareView({
  sampleId,
  prediction
}: {
  sampleId: number
  prediction: SamplePrediction | null
}): React.JSX.Element {
  const store = useReviewStore()
  const client = useReview((s) => s.client)
  const compare = useReview((s) => s.compare)
  const modes = availableModes(prediction)
  const modelMetrics = useInference((s) => s.models.find((m) => m.id === prediction?.modelId)?.metrics)
  const mode = modes.includes(compare.mode) ? compare.mode : 'original'
  const [blinkOn, setBlinkOn] = useState(false)
  const stage = useRef<HTMLDivElement>(null)
  const { setCompare } = store.getState()

  useEffect(() => {
    if (mode !== 'blink') return
    const timer = setInterval(() => setBlinkOn((b) => !b), BLINK_MS)
    return () => clearInterval(timer)
  }, [mode])

  const original = client.imageUrl('full', sampleId)
  const generated = (kind: ModelImageKind): string => client.modelImageUrl(prediction?.modelId ?? '', kind, sampleId)
  const img = (src: string, alt: string, extra: React.CSSProperties = {}, className = ''): React.JSX.Element => (
    <img src={src} alt={alt} className={className} style={extra} draggable={false} />
  )

  let content: React.JSX.Element
  let caption: string = MODE_NAMES[mode]
  if (mode === 'original') content = img(original, 'original')
  else if (mode === 'emotion_map')
    content = (
      <>
        {img(original, 'original')}
        {img(generated('emotion_map'), 'emotion map', { opacity: compare.opacity }, 'layer')}
      </>
    )
  else if (mode === 'wipe') {
    caption = 'Original ◀ ▶ poker face'
    content = (
      <>
        {img(original, 'original')}
        {img(generated('poker_face'), 'poker face', { clipPath: `inset(0 0 0 ${(compare.wipe * 100).toFixed(1)}%)` }, 'layer')}
        <div className="wipe-line" style={{ left: `${(compare.wipe * 100).toFixed(1)}%` }} />
      </>
    )
  } else if (mode === 'blink') {
    caption = blinkOn ? 'Blink: poker face' : 'Blink: original'
    content = (
      <>
        {img(original, 'original')}
        {img(generated('poker_face'), 'poker face', { opacity: blinkOn ? 1 : 0 }, 'layer')}
      </>
    )
  } else content = img(generated(mode), MODE_NAMES[mode])

  const wipeFromPointer = (e: React.PointerEvent): void => {
    if (mode !== 'wipe' || !stage.current || (e.type === 'pointermove' && e.buttons === 0)) return
    const box = stage.current.getBoundingClientRect()
    setCompare({ wipe: Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) })
  }

  return (
    <section className="compare" aria-label="Compare" data-testid="compare" data-mode={mode}>
      <div className="compare-stage" ref={stage} onPointerDown={wipeFromPointer} onPointerMove={wipeFromPointer}>
        {content}
        <span className="compare-caption">{caption}</span>
      </div>
      <div className="compare-modes" role="group" aria-label="View">
        {modes.map((m) => (
          <button
            key={m}
            aria-pressed={m === mode}
            aria-label={MODE_NAMES[m].replace('\u00ad', '')}
            className={`${m === mode ? 'active' : ''}${STRIP.includes(m) ? ' thumb' : ''}`}
            onClick={() => setCompare({ mode: m })}
            title={`${MODE_NAMES[m].replace('\u00ad', '')} (V steps through)`}
          >
            {STRIP.includes(m) && (
              <span className="thumb-face">
                {img(m === 'original' || m === 'emotion_map' ? original : generated(m as ModelImageKind), '')}
                {m === 'emotion_map' && img(generated('emotion_map'), '', { opacity: 0.8 }, 'layer')}
              </span>
            )}
            <span className="thumb-name">{MODE_NAMES[m]}</span>
          </button>
        ))}
      </div>
      {mode === 'emotion_map' && (
        <label className="slider">
          Overlay opacity
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={compare.opacity}
            aria-label="Emotion map opacity"
            onChange={(e) => setCompare({ opacity: Number(e.target.value) })}
          />
        </label>
      )}
      {mode === 'wipe' && (
        <label className="slider">
          Wipe
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={compare.wipe}
            aria-label="Wipe position"
            onChange={(e) => setCompare({ wipe: Number(e.target.value) })}
          />
        </label>
      )}
      {modes.length > 1 && GENERATED_VIEWS.includes(mode) && <SeparationNote metrics={modelMetrics} />}
      {modes.length === 1 && (
        <p className="muted small">Run the model with “Generate poker faces” on to compare with the poker face.</p>
      )}
    </section>
  )
}
