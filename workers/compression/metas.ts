/**
 * Every method's metadata (label, options the UI offers, variant names, bits per weight), without
 * its kernels: the page imports this, the worker the registry. A new method adds its meta here and
 * its implementation in registry.ts.
 */
import { METHOD_IDS, type MethodId } from '../api';
import { awqMeta } from './awq/meta';
import { fp16Meta } from './fp16/meta';
import { globalPruneMeta } from './global-prune/meta';
import { gptqMeta } from './gptq/meta';
import { int4GroupMeta } from './int4-group/meta';
import { int8ChannelMeta } from './int8-channel/meta';
import { magnitudePruneMeta } from './magnitude-prune/meta';
import { nf4Meta } from './nf4/meta';
import { nmPruneMeta } from './nm-prune/meta';
import { rtnMeta } from './rtn/meta';
import { sparseGptMeta } from './sparsegpt/meta';
import { structuredPruneMeta } from './structured-prune/meta';
import type { MethodMeta } from './types';
import { wandaMeta } from './wanda/meta';

export const METAS_BY_ID: Readonly<Record<MethodId, MethodMeta<any>>> = Object.freeze({
  'magnitude-prune': magnitudePruneMeta,
  'int8-channel': int8ChannelMeta,
  'int4-group': int4GroupMeta,
  fp16: fp16Meta,
  wanda: wandaMeta,
  gptq: gptqMeta,
  awq: awqMeta,
  rtn: rtnMeta,
  nf4: nf4Meta,
  'nm-prune': nmPruneMeta,
  'global-prune': globalPruneMeta,
  'structured-prune': structuredPruneMeta,
  sparsegpt: sparseGptMeta,
});

/** The methods' metadata in METHOD_IDS order, for menus and loops. */
export const METHOD_METAS: readonly MethodMeta<any>[] = Object.freeze(METHOD_IDS.map((id) => METAS_BY_ID[id]));
