/**
 * The builder's calibration text, for calibrated methods (GPTQ, AWQ, Wanda, SparseGPT): the
 * built-in text, or a .txt the user picks (kept after a reload). Picking one sets the method's
 * options.calibrationText to its reference, so the variant says what it was calibrated on; a
 * file that is not UTF-8 text is refused with the reason, as for the evaluation text.
 */
import { useState } from 'react';
import { calibrationTextName, calibrationTextRef } from '../../../workers/calibration/text-ref';
import { decodeEvalText } from '../../../workers/eval/eval-text';
import { useCalibrationText } from '../../store/calibration-text';

type Options = Record<string, unknown>;

export function CalibrationTextField({ options, onChange }: { options: Options; onChange: (o: Options) => void }) {
  const { file, setFile } = useCalibrationText();
  const [error, setError] = useState<string>();
  const ref = file ? calibrationTextRef(file.name, file.data) : undefined;
  const named = options.calibrationText as string | undefined;
  const use = (r: string | undefined) => {
    const { calibrationText: _, ...rest } = options;
    onChange(r ? { ...rest, calibrationText: r } : rest);
  };
  const pick = async (f: File | undefined) => {
    if (!f) return;
    const data = new Uint8Array(await f.arrayBuffer());
    try {
      setFile({ name: f.name, data, chars: decodeEvalText(f.name, data).length });
      setError(undefined);
      use(calibrationTextRef(f.name, data));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <label title="calibration sequences are the last N × 256 tokens of this text (fewer when it is shorter: the made variant says how many)">
        calibrated on{' '}
        <select value={named ? 'file' : ''} onChange={(e) => use(e.target.value ? ref : undefined)} data-testid="add-calibration-text">
          <option value="">the built-in text</option>
          {(file || named) && <option value="file">{file ? file.name : calibrationTextName(named!)}</option>}
        </select>
      </label>
      <input type="file" accept=".txt,text/plain" aria-label="calibrate on a .txt file" data-testid="add-calibration-file" onChange={(e) => void pick(e.target.files?.[0])} />
      {file && named === ref && <span className="muted" data-testid="calibration-text-size">{file.chars.toLocaleString()} characters</span>}
      {named && named !== ref && <span className="warn-text">{calibrationTextName(named)} is not the text picked now; pick it again</span>}
      {error && <span className="warn-text" data-testid="calibration-text-error">{error}</span>}
    </>
  );
}
