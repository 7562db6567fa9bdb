/**
 * A packed model as it is exported: one .onnx and at most one data file, model.onnx_data, as
 * onnxruntime and transformers.js load a model. A packed model made from a dropped file keeps the
 * tensors it left unchanged as slices of that file (external-weights.ts `sources`, handles, not
 * bytes): here they are placed after the arena's bytes in the one data file, 64-byte aligned, and
 * the .onnx's locations and offsets rewritten. The pieces are what the export zip writes and what
 * gzip-size streams and modelSize counts, so the sizes are those of the exported bytes.
 */
import { externalDataOf } from '../eval/external-data';
import { decodeModel, onnx } from '../model/onnx-graph';
import { EXTERNAL_DATA_PATH, externalTensor } from './external-weights';

const ALIGN = 64;

export interface ExportLayout {
  onnx: Uint8Array;
  /** model.onnx_data's bytes in order (a Blob piece is read when written); empty without a data file */
  data: (Uint8Array | Blob)[];
}

const pieceSize = (p: Uint8Array | Blob) => (p instanceof Uint8Array ? p.length : p.size);

export function exportLayout(bytes: Uint8Array): ExportLayout {
  const files = externalDataOf(bytes) ?? [];
  if (files.every((f) => f.path === EXTERNAL_DATA_PATH && f.data instanceof Uint8Array)) return { onnx: bytes, data: files.map((f) => f.data) };
  const start = new Map<string, number>();
  const data: (Uint8Array | Blob)[] = [];
  let size = 0;
  for (const f of files) {
    const at = Math.ceil(size / ALIGN) * ALIGN;
    if (at > size) data.push(new Uint8Array(at - size));
    start.set(f.path, at);
    data.push(f.data);
    size = at + pieceSize(f.data);
  }
  const proto = decodeModel(bytes);
  const graph = proto.graph!;
  graph.initializer = graph.initializer.map((t) => {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return t;
    const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
    const at = start.get(kv.get('location') ?? '');
    return at === undefined ? t : externalTensor(t, EXTERNAL_DATA_PATH, at + Number(kv.get('offset') ?? 0), Number(kv.get('length')));
  });
  return { onnx: onnx.ModelProto.encode(proto as never).finish(), data };
}

/** Bytes of the exported model: its .onnx and data file. */
export function exportedSize(bytes: Uint8Array): number {
  const l = exportLayout(bytes);
  return l.onnx.length + l.data.reduce((a, p) => a + pieceSize(p), 0);
}

/** The exported data file's bytes in one buffer (Blob pieces read), or undefined without one. */
export async function dataFileBytes(l: ExportLayout): Promise<Uint8Array | undefined> {
  if (!l.data.length) return undefined;
  if (l.data.length === 1 && l.data[0] instanceof Uint8Array) return l.data[0];
  const out = new Uint8Array(l.data.reduce((a, p) => a + pieceSize(p), 0));
  let at = 0;
  for (const p of l.data) {
    out.set(p instanceof Uint8Array ? p : new Uint8Array(await p.arrayBuffer()), at);
    at += pieceSize(p);
  }
  return out;
}
