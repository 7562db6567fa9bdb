/**
 * Reads what the user gives (a dropped folder, dropped files, or an <input type=file>) into the
 * `{ path, data }` list the engine's loadFiles takes. Dropped folders are walked recursively
 * through DataTransferItem.webkitGetAsEntry; paths keep the folder structure ("gpt2/onnx/model.onnx").
 */
import type { InputFile } from '../../workers/api';
import { LabError } from '../engine/errors';
import { sizeProblem } from './model-size';
import { preferredGraph } from '../../workers/model/graph-choice';
import { SKIM_MIN_FILE_BYTES } from '../../workers/model/skim-size';

/**
 * A file the user gave, not read yet (a File is a handle: keeping one costs no memory). Only its
 * size and bytes are used, so a file still on the Hugging Face hub (src/hub/) is one too: read, it downloads.
 */
export interface Picked {
  path: string;
  file: Pick<File, 'size' | 'arrayBuffer'>;
}

/** The last folder given, kept as handles so another of its graphs can be loaded without asking again. */
let lastPicked: Picked[] = [];

const isGraph = (p: string) => p.endsWith('.onnx');
const stem = (p: string) => p.replace(/\.onnx$/, '');

/** The ONNX graphs of the last folder given, paths as given. */
export const graphsOfLastPick = (): string[] => lastPicked.map((p) => p.path).filter(isGraph);

/** The files without the graphs other than `graph` and their external data. */
function withOnly(picked: readonly Picked[], graph: string): Picked[] {
  const others = picked.map((p) => p.path).filter((p) => isGraph(p) && p !== graph).map(stem);
  return picked.filter((p) => p.path === graph || (!isGraph(p.path) && !others.some((o) => p.path.startsWith(`${o}.onnx_data`) || p.path.startsWith(`${o}.onnx.data`))));
}

/** The last folder again with `graph` as its only graph, read: the engine then loads that one. */
export function readLastPickWith(graph: string): Promise<InputFile[]> {
  return readChecked(withOnly(lastPicked, graph), false);
}

/**
 * Reads the files, once their sizes show the tab can hold the model (else a 'TooLarge' error,
 * nothing read). Of several graphs only the one the engine prefers is read (graph-choice.ts).
 */
export async function readChecked(given: Picked[], remember = true): Promise<InputFile[]> {
  if (remember) lastPicked = given;
  const graphs = given.map((p) => p.path).filter(isGraph);
  const picked = graphs.length > 1 ? withOnly(given, preferredGraph(graphs)!) : given;
  const problem = sizeProblem(picked.map((p) => ({ path: p.path, size: p.file.size })));
  if (problem) throw new LabError('TooLarge', problem);
  // anything but JSON and a small graph (external data, a big .onnx) goes as a handle: the worker checks the sizes the
  // graph declares against the tab's limits first, then reads it tensor by tensor (workers/model/external-files.ts,
  // skim-onnx.ts), and neither this page nor the worker holds the model's weights
  const asHandle = (p: Picked) => p.file instanceof Blob && (!/\.(onnx|json)$/i.test(p.path) || (isGraph(p.path) && p.file.size >= SKIM_MIN_FILE_BYTES));
  return Promise.all(picked.map(async (p) => ({ path: p.path, data: asHandle(p) ? (p.file as Blob) : await p.file.arrayBuffer() })));
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
