/**
 * One download from the hub at a time, with its progress in bytes (from the cache or the
 * network), a rate and an ETA, and one AbortController that Cancel fires. Files are read through
 * `remote()` handles: the folder-drop path (src/lib/files.ts) reads them like dropped files, and
 * each read downloads its file (or takes it from the cache) here.
 */
import { create } from 'zustand';
import { cachedBytes, keep } from './cache';
import { cancelled, httpProblem, HubProblem, networkProblem, truncated } from './problems';

export interface HubProgress {
  id: string;
  /** bytes of the files being read, as they are asked for (the listing's sizes) */
  total: number;
  /** bytes in hand: taken from the cache or received */
  done: number;
  /** of `done`, bytes that came over the network */
  downloaded: number;
  /** ms (Date.now) of the first byte from the network, for the rate */
  firstByteAt?: number;
  files: number;
  fromCache: number;
}

interface HubState {
  progress?: HubProgress;
  error?: string;
  status?: string;
  /** the model a success status is about: the status goes once another model is loaded */
  modelId?: string;
  set: (s: Partial<Omit<HubState, 'set'>>) => void;
}

export const useHub = create<HubState>((set) => ({ set: (s) => set(s) }));

/** The store is updated at most this often while bytes arrive (a 1 GB file arrives in ~16 k chunks). */
const REDRAW_MS = 100;

export class Session {
  readonly controller = new AbortController();
  readonly progress: HubProgress;
  private inflight = 0;
  private drawnAt = 0;
  /** the first real failure: the reads aborted because of it report it too */
  private failure?: HubProblem;

  constructor(readonly id: string, readonly base: string, private readonly auto: boolean) {
    this.progress = { id, total: 0, done: 0, downloaded: 0, files: 0, fromCache: 0 };
  }

  private draw(force = false) {
    const now = Date.now();
    if (!force && now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    useHub.getState().set({ progress: { ...this.progress } });
  }

  cancel() {
    this.failure ??= cancelled(this.id);
    this.controller.abort();
  }

  /** A file's bytes: from the cache, else downloaded (and kept). */
  async read(url: string, path: string, size: number | undefined): Promise<ArrayBuffer> {
    this.inflight++;
    this.progress.total += size ?? 0;
    this.progress.files++;
    this.draw(true);
    try {
      const hit = await cachedBytes(url);
      if (hit) {
        this.progress.done += hit.byteLength;
        this.progress.fromCache++;
        return hit;
      }
      const data = await this.download(url, path, size);
      await keep(url, data);
      return data.buffer as ArrayBuffer;
    } catch (e) {
      // the first failure stops the other downloads of this load
      this.failure ??= e instanceof HubProblem ? e : networkProblem(this.base, navigator.onLine);
      this.controller.abort();
      throw this.failure;
    } finally {
      this.inflight--;
      this.draw(true);
      if (this.auto && this.inflight === 0) end(this);
    }
  }

  private async download(url: string, path: string, size: number | undefined): Promise<Uint8Array<ArrayBuffer>> {
    let r: Response;
    try {
      // no cookies: the lab never signs in, and the hub's CDN answers anonymous CORS requests
      r = await fetch(url, { signal: this.controller.signal, credentials: 'omit' });
    } catch (e) {
      throw this.failure ?? networkProblem(this.base, navigator.onLine);
    }
    if (!r.ok) throw httpProblem(r.status, path, this.id, this.base, r.headers.get('x-error-code'));
    if (size === undefined) {
      const declared = Number(r.headers.get('content-length'));
      if (declared > 0) this.progress.total += declared;
    }
    // one buffer of the listed size, filled as chunks arrive (no second copy of a large file)
    let out = new Uint8Array(size ?? 0);
    let got = 0;
    const reader = r.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (got + value.length > out.length) {
          const grown = new Uint8Array(Math.max(got + value.length, out.length * 2));
          grown.set(out.subarray(0, got));
          out = grown;
        }
        out.set(value, got);
        got += value.length;
        this.progress.firstByteAt ??= Date.now();
        this.progress.done += value.length;
        this.progress.downloaded += value.length;
        this.draw();
      }
    } catch {
      throw this.failure ?? networkProblem(this.base, navigator.onLine);
    }
    if (size !== undefined && got < size) throw truncated(path, got, size);
    return got === out.length ? out : out.slice(0, got);
  }
}

let current: Session | undefined;

export const activeSession = () => current;

/** Starts a session for `id`; `auto` ends it when its last read ends (another graph loaded from the card). */
export function begin(id: string, base: string, auto = false): Session {
  current = new Session(id, base, auto);
  useHub.getState().set({ progress: { ...current.progress }, error: undefined, status: undefined, modelId: undefined });
  return current;
}

export function end(s: Session): void {
  if (current !== s) return;
  current = undefined;
  useHub.getState().set({ progress: undefined });
}

/** A repo file as a dropped file's stand-in: its size from the listing, its bytes on read. */
export function remote(id: string, base: string, url: string, path: string, size: number | undefined) {
  return {
    size: size ?? 0,
    arrayBuffer: () => (current ?? begin(id, base, true)).read(url, path, size),
  };
}
