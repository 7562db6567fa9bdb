/**
 * What went wrong talking to the hub, said so the user knows what to do next. The hub answers 401
 * for a repo that does not exist or is private when nobody is signed in (it does not tell them
 * apart), 403 for a gated repo whose terms were not accepted, 404 for a missing file; a fetch that
 * throws never reached it (offline, DNS, a proxy, CORS). The lab never signs in. Pure.
 */
import { hostOf, repoPage } from './hub-id';

export type HubProblemKind = 'Offline' | 'NotFound' | 'Private' | 'Gated' | 'Http' | 'Truncated' | 'Cancelled' | 'NoOnnx';

export class HubProblem extends Error {
  constructor(readonly kind: HubProblemKind, message: string) {
    super(message);
    this.name = 'HubProblem';
  }
}

const DROP = 'download the folder yourself (huggingface-cli download <id>) and drop it here';

/** An HTTP answer other than 2xx. `errorCode` is the hub's X-Error-Code header when it is readable (RepoNotFound, GatedRepo, EntryNotFound). */
export function httpProblem(status: number, what: string, id: string, base: string, errorCode?: string | null): HubProblem {
  const host = hostOf(base);
  const page = repoPage(base, id);
  const drop = DROP.replace('<id>', id);
  if (errorCode === 'GatedRepo' || status === 403) {
    return new HubProblem('Gated', `${id} is gated on ${host}: its files need a signed-in account that accepted its terms, and the lab does not sign in. Accept them at ${page}, then ${drop}`);
  }
  if (errorCode === 'EntryNotFound' || (status === 404 && what !== 'the model list')) {
    return new HubProblem('NotFound', `${host} has no ${what} in ${id} (${status}); the repo changed since it was listed: load it again, or ${drop}`);
  }
  if (status === 404 || errorCode === 'RepoNotFound') {
    return new HubProblem('NotFound', `${host} has no model ${id} (${status}): check the id's spelling at ${page} (ids look like owner/name), or pick a built-in demo`);
  }
  if (status === 401) {
    return new HubProblem('Private', `${host} has no public model ${id} (401): the id is misspelled, or the repo is private and the lab does not sign in. Check the id at ${page}; for a private model, ${drop}`);
  }
  return new HubProblem('Http', `${host} answered ${status} for ${what} of ${id}; try again in a moment, or ${drop}`);
}

/** A fetch that threw before any answer. */
export function networkProblem(base: string, online: boolean): HubProblem {
  const host = hostOf(base);
  const why = online ? `${host} cannot be reached (no connection, a proxy, or the site refusing this page)` : `the browser is offline, so ${host} cannot be reached`;
  return new HubProblem('Offline', `${why}. Models loaded from the hub before are kept in this browser and load without network; otherwise connect and press Load again, or drop a model folder here`);
}

export const cancelled = (id: string) => new HubProblem('Cancelled', `Download of ${id} cancelled; the files that finished are kept in the browser's cache, so Load continues where it stopped`);

export const truncated = (path: string, got: number, want: number) =>
  new HubProblem('Truncated', `the download of ${path} stopped at ${got} of ${want} bytes (connection cut); press Load again: files that finished are cached`);
