/** A drop target covering the page: drop a model folder (or its files) anywhere to load it. */
import { useEffect, useState } from 'react';
import { loadPicked } from '../engine/lab';
import { pickDropped } from '../engine/dropped';
import { readDataTransfer } from '../lib/files';

export function DropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const dt = e.dataTransfer;
      // one .txt or .jsonl is text to evaluate on, not a model
      const one = dt.files.length === 1 && !dt.items[0]?.webkitGetAsEntry()?.isDirectory ? dt.files[0] : undefined;
      if (one && /\.(txt|jsonl)$/i.test(one.name)) {
        void pickDropped(one);
        return;
      }
      // the DataTransfer empties after the event: readDataTransfer takes its entries synchronously
      const reading = readDataTransfer(dt);
      void loadPicked(() => reading);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div className="dropzone" data-testid="drop-zone">
      <div>Drop an ONNX model folder (config.json, tokenizer.json, onnx/model.onnx), a .txt to evaluate on, or a classifier's labelled .jsonl</div>
    </div>
  );
}
