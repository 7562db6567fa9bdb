/**
 * Operators onnxruntime-web cannot run, found before a session is tried: nodes of a custom domain
 * (anything but the standard ONNX domain and onnxruntime's com.microsoft contrib ops), listed by
 * name and count so the message says exactly what is missing.
 */
import { labError } from '../errors';
import type { ModelProto } from './onnx-graph';

const RUNNABLE_DOMAINS = new Set(['', 'ai.onnx', 'com.microsoft']);

/** "Domain.Op × count" for every node of a domain onnxruntime-web has no kernels for. */
export function unsupportedOperators(proto: ModelProto): string[] {
  const counts = new Map<string, number>();
  for (const n of proto.graph!.node) {
    if (RUNNABLE_DOMAINS.has(n.domain ?? '')) continue;
    const key = `${n.domain}.${n.opType}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} × ${n}`);
}

export function checkOperators(proto: ModelProto, file: string): void {
  const missing = unsupportedOperators(proto);
  if (missing.length) {
    throw labError('UnsupportedOperators', `${file} uses operators onnxruntime-web has no kernels for: ${missing.join(', ')}`);
  }
}
