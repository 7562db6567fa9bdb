/**
 * Present mode for a classroom: one panel at a time, full screen, large type, a "what you are
 * seeing" line in plain words, ← / → to step, Esc to leave. The panels are the dashboard's own,
 * live: a run going on keeps filling them; the live demo slide compresses the model on a click and
 * shows its perplexity and its text beside the original's.
 */
import { useEffect, useState, type ComponentType } from 'react';
import { PplChart } from '../components/PplChart';
import { LIVE_DEMO_WHAT, LiveDemo } from './LiveDemo';
import { ChartHeight } from './Panel';
import { PANELS } from './registry';

interface Slide {
  id: string;
  title: string;
  what: string;
  Component: ComponentType;
}

const SLIDES: Slide[] = [
  { id: 'ppl', title: 'Perplexity by variant', what: 'How surprised each model is by text it has not seen: lower is better; the uncompressed baseline is the yardstick.', Component: PplChart },
  { id: 'live-demo', title: 'Live demo', what: LIVE_DEMO_WHAT, Component: LiveDemo },
  ...PANELS,
];

export function PresentMode({ onClose }: { onClose: () => void }) {
  const [i, setI] = useState(0);
  const slide = SLIDES[i];
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // arrows inside a text field (the live demo's prompt) move the caret, not the slides
      const typing = e.target instanceof HTMLElement && e.target.matches('input, textarea, select');
      if (typing && e.key !== 'Escape') return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') setI((n) => Math.min(SLIDES.length - 1, n + 1));
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') setI((n) => Math.max(0, n - 1));
      else if (e.key === 'Escape') onClose();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="present" role="dialog" aria-modal="true" aria-label="present mode" data-testid="present-mode" data-slide={slide.id}>
      <div className="present-bar">
        <span className="present-count" data-testid="present-count">{i + 1} / {SLIDES.length}</span>
        <button onClick={() => setI((n) => Math.max(0, n - 1))} disabled={i === 0} data-testid="present-prev" aria-label="previous panel">← previous</button>
        <button onClick={() => setI((n) => Math.min(SLIDES.length - 1, n + 1))} disabled={i === SLIDES.length - 1} data-testid="present-next" aria-label="next panel">next →</button>
        <button onClick={onClose} data-testid="present-close">close (Esc)</button>
      </div>
      <p className="present-what" data-testid="present-what"><strong>What you are seeing:</strong> {slide.what}</p>
      <ChartHeight.Provider value={Math.max(360, Math.round(window.innerHeight * 0.55))}>
        <slide.Component key={slide.id} />
      </ChartHeight.Provider>
    </div>
  );
}

export function PresentButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)} data-testid="present-open" title="one panel at a time, large type, arrow keys">Present</button>
      {open && <PresentMode onClose={() => setOpen(false)} />}
    </>
  );
}
