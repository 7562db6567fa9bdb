/**
 * Reads what the user gives (a dropped folder, dropped files, or an <input type=file>) into the
 * `{ path, data }` list the engine's loadFiles takes. Dropped folders are walked recursively
 * through DataTransferItem.webkitGetAsEntry; paths keep the folder structure ("gpt2/onnx/model.onnx").
 */
import type { InputFile } from '../../workers/api';

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

async function walk(entry: FileSystemEntry, out: InputFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await entryFile(entry as FileSystemFileEntry);
    out.push({ path: entry.fullPath.replace(/^\/+/, ''), data: await file.arrayBuffer() });
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
  const out: InputFile[] = [];
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    for (const entry of entries) await walk(entry!, out);
    return out;
  }
  return readFileList(files);
}

export async function readFileList(list: FileList | File[]): Promise<InputFile[]> {
  return Promise.all(
    Array.from(list).map(async (f) => ({ path: f.webkitRelativePath || f.name, data: await f.arrayBuffer() })),
  );
}
