/**
 * Reads what the user gives (a dropped folder, dropped files, or an <input type=file>) into the
 * `{ path, data }` list the engine's loadFiles takes. Dropped folders are walked recursively
 * through DataTransferItem.webkitGetAsEntry; paths keep the folder structure ("gpt2/onnx/model.onnx").
 */
import type { InputFile } from '../../workers/api';
import { LabError } from '../engine/errors';
import { sizeProblem } from './model-size';

interface Picked {
  path: string;
  file: File;
}

/** Reads the files, once their sizes show the tab can hold the model (else a 'TooLarge' error, nothing read). */
async function readChecked(picked: Picked[]): Promise<InputFile[]> {
  const problem = sizeProblem(picked.map((p) => ({ path: p.path, size: p.file.size })));
  if (problem) throw new LabError('TooLarge', problem);
  return Promise.all(picked.map(async (p) => ({ path: p.path, data: await p.file.arrayBuffer() })));
}

const readEntries = (dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> =>
  new Promise((resolve, reject) => {
    const reader = dir.createReader();
    const all: FileSystemEntry[] = [];
    // readEntries returns at most ~100 entries per call: read until an empty batch.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });

const entryFile = (entry: FileSystemFileEntry): Promise<File> => new Promise((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    out.push({ path: entry.fullPath.replace(/^\/+/, ''), file: await entryFile(entry as FileSystemFileEntry) });
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

export async function readDataTransfer(dt: DataTransfer): Promise<InputFile[]> {
  // Entries must be taken synchronously, before the first await: the DataTransfer empties after the event.
  const entries = Array.from(dt.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = Array.from(dt.files);
  const out: Picked[] = [];
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    for (const entry of entries) await walk(entry!, out);
    return readChecked(out);
  }
  return readFileList(files);
}

export async function readFileList(list: FileList | File[]): Promise<InputFile[]> {
  return readChecked(Array.from(list).map((f) => ({ path: f.webkitRelativePath || f.name, file: f })));
}
