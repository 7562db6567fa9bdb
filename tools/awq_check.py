#!/usr/bin/env python3
"""An independent AWQ scale search in numpy (float64), to check the lab's (workers/compression/awq).

AWQ (Lin et al. 2024) scales input channel j by s_j = a_j^alpha (a_j its activation size on the
calibration text: mean |x_j|, as llm-awq's auto_scale takes it (get_act_scale) and as the lab does),
clamped at 1e-4 and normalized by sqrt(max s * min s) as that code does; the weight is
quantized as Q(W diag(s)) diag(s)^-1 with round to nearest on an asymmetric grid per group of
`group` inputs (range with 0 included, zero point rounded, codes 0..2^bits-1, half away from zero);
alpha in {0, 0.05, ..., 0.95} (the paper's grid of 20; 0 = RTN, kept on ties) is the one with the least
layer-output error on the calibration tokens over every output row, tr(D H D^T) (D = W - W_hat).
It also reports the old lab search (RMS from H's diagonal, 32 evenly spaced rows, grid 10) for comparison.

Input: what scripts/awq-evidence.ts --dump DIR writes per S and layer, S<n>.<layer>.*: w.f32 (the
weight as stored, little-endian f32), h.f32 (H = X^T X on the calibration tokens, in x in), abs.f32
(sum over the calibration tokens of |x_j|, in),
eval-h.f32 (the same on the 4,096 scored tokens), json (layer, shape, layout, rows, the alpha the
lab chose). Per layer it prints the numpy alpha beside the lab's, and the layer-output error of
AWQ relative to RTN's (alpha = 0) on the calibration tokens and on the scored (held-out) tokens.

    /usr/bin/python3 tools/awq_check.py /tmp/awq-dump [--bits 4 --group 128]

The lab's loss terms are f32 in the WGSL's order; this is float64, so a near-tie between two
alphas could in principle resolve differently (see docs/laws.md for how many did on tiny).
"""
import argparse
import glob
import json
import math
import os

import numpy as np


def load(stem):
    meta = json.load(open(stem + '.json'))
    rows_, cols_ = meta['shape']
    w = np.fromfile(stem + '.w.f32', dtype='<f4').astype(np.float64).reshape(rows_, cols_)
    w = w.T if meta['layout'] == 'in_out' else w  # -> (out, in)
    k = w.shape[1]
    h = np.fromfile(stem + '.h.f32', dtype='<f4').astype(np.float64).reshape(k, k)
    he = np.fromfile(stem + '.eval-h.f32', dtype='<f4').astype(np.float64).reshape(k, k) if os.path.exists(stem + '.eval-h.f32') else None
    absum = np.fromfile(stem + '.abs.f32', dtype='<f4').astype(np.float64)
    return meta, w, h, he, absum


def quantize_rows(w, bits, group):
    """Round to nearest on the asymmetric group grid, row by row; returns the dequantized rows."""
    qmax = 2 ** bits - 1
    out = np.empty_like(w)
    for g0 in range(0, w.shape[1], group):
        blk = w[:, g0:g0 + group]
        mn = np.minimum(blk.min(axis=1), 0.0)
        mx = np.maximum(blk.max(axis=1), 0.0)
        scale = np.maximum((mx - mn) / qmax, 2.0 ** -100)[:, None]
        zp = np.minimum(np.floor(-mn[:, None] / scale + 0.5), qmax)
        r = np.floor(np.abs(blk) / scale + 0.5)  # half away from zero on |w|
        q = np.clip(zp + np.sign(blk) * r, 0, qmax)
        out[:, g0:g0 + group] = (q - zp) * scale
    return out


def scales(rms, alpha):
    s = np.maximum(rms ** alpha, 1e-4)
    return s / math.sqrt(s.max() * s.min())


def search(w, h, size, bits, group, grid, sample_rows):
    """alpha on `grid` points with the least sum of d H d^T over the rows (every row when sample_rows is 0);
    the first (smallest alpha) on ties. size: each input channel's activation size."""
    n = w.shape[0]
    step = max(1, math.ceil(n / sample_rows)) if sample_rows else 1
    pick = np.arange(0, n, step)
    losses = []
    for i in range(grid):
        s = scales(size, i / grid)
        d = (w[pick] - quantize_rows(w[pick] * s, bits, group) / s)
        losses.append(float(np.einsum('oi,ij,oj->', d, h, d)))
    best = int(np.argmin(losses))
    return best / grid, losses


def layer_error(w, h, size, bits, group, alpha, on=None):
    """sum over every output row of d H d^T (H of `on`, default the calibration's), relative to that of W itself;
    the scales always from the calibration's statistic, as AWQ chose them."""
    on = h if on is None else on
    s = scales(size, alpha)
    d = w - quantize_rows(w * s, bits, group) / s
    return float(np.einsum('oi,ij,oj->', d, on, d) / np.einsum('oi,ij,oj->', w, on, w))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--bits', type=int, default=4)
    ap.add_argument('--group', type=int, default=128)
    a = ap.parse_args()
    summary = {}
    for stem in sorted(p[:-5] for p in glob.glob(os.path.join(a.dir, 'S*.json'))):
        meta, w, h, he, absum = load(stem)
        rows = meta['rows']
        mean_abs = absum / rows
        rms = np.sqrt(np.diag(h) / rows)
        alpha, losses = search(w, h, mean_abs, a.bits, a.group, 20, 0)
        old_alpha, _ = search(w, h, rms, a.bits, a.group, 10, 32)
        rtn = layer_error(w, h, mean_abs, a.bits, a.group, 0.0)
        cal = layer_error(w, h, mean_abs, a.bits, a.group, alpha) / rtn
        held = layer_error(w, h, mean_abs, a.bits, a.group, alpha, he) / layer_error(w, h, mean_abs, a.bits, a.group, 0.0, he) if he is not None else None
        same = abs(alpha - meta['alpha']) < 1e-9
        sm = summary.setdefault(meta['samples'], {'layers': 0, 'same_alpha': 0, 'cal': [], 'held': []})
        sm['layers'] += 1
        sm['same_alpha'] += same
        sm['cal'].append(cal)
        if held is not None:
            sm['held'].append(held)
        print(json.dumps({
            'samples': meta['samples'], 'layer': meta['layer'], 'rows': rows,
            'lab_alpha': meta['alpha'], 'numpy_alpha': alpha, 'same': same,
            'loss_by_alpha': [float('%.6g' % x) for x in losses],
            'old_search_alpha_rms_32rows_grid10': old_alpha,
            'layer_error_rtn': float('%.4g' % rtn),
            'awq_over_rtn_calibration': float('%.4g' % cal),
            'awq_over_rtn_held_out': None if held is None else float('%.4g' % held),
        }))
    for samples, sm in sorted(summary.items()):
        gm = lambda x: float('%.4g' % math.exp(np.mean(np.log(x)))) if x else None
        print(json.dumps({'samples': samples, 'layers': sm['layers'], 'same_alpha': sm['same_alpha'],
                          'geomean_awq_over_rtn_calibration': gm(sm['cal']), 'geomean_awq_over_rtn_held_out': gm(sm['held']),
                          'calibration_worse_than_rtn': sum(x > 1 for x in sm['cal']),
                          'held_out_worse_than_rtn': sum(x > 1 for x in sm['held'])}))

if __name__ == '__main__':
    main()
