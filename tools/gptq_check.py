"""An independent GPTQ on the lab's captured layer inputs: is the lab's GPTQ-3 the GPTQ of the paper?

A port of fasterquant() from the paper's reference code (IST-DASLab/gptq, gptq.py + quant.py),
in torch, run on the Hessians and weights scripts/gptq3-evidence.ts --dump wrote, and compared with
the lab's GPTQ-3 result for the same layer:
  - how many weights' quantized values differ from the lab's (beyond 1e-6 relative);
  - the layer-output error on the calibration tokens, tr(dW H dW^T) / tr(W H W^T), of the lab's
    result, of this one, and of round-to-nearest on the same grid (quant.py's RTN).
gptq.py fits a group's grid on W, which holds the columns of the current 128-column block as they
were before the block (their in-block updates live in W1); the lab fits it on the updated columns.
Both are run here (`grid=stale` as gptq.py, `grid=updated` as the lab); they differ only where a
group starts inside a block (group 32), not for group 128 (or a row shorter than the group).

  /usr/bin/python3 tools/gptq_check.py /tmp/gptq-dump [--dtype float64]
"""
import argparse
import json
import os

import numpy as np
import torch


def find_params(x, maxq):
    """quant.py Quantizer.find_params(weight=True), asymmetric, per row of x."""
    zero = torch.zeros(x.shape[0], dtype=x.dtype)
    xmin = torch.minimum(x.min(1)[0], zero)
    xmax = torch.maximum(x.max(1)[0], zero)
    both = (xmin == 0) & (xmax == 0)
    xmin[both], xmax[both] = -1, 1
    scale = (xmax - xmin) / maxq
    return scale, torch.round(-xmin / scale)


def quantize(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return scale * (q - zero)


def fasterquant(W, H, bits, groupsize, blocksize=128, percdamp=0.01, grid="stale"):
    """gptq.py GPTQ.fasterquant (act order off). W (out, in), H (in, in)."""
    maxq = 2**bits - 1
    W = W.clone()
    H = H.clone()
    cols = W.shape[1]
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    Q = torch.zeros_like(W)
    damp = percdamp * torch.mean(torch.diag(H))
    idx = torch.arange(cols)
    H[idx, idx] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    Hinv = torch.linalg.cholesky(H, upper=True)
    scale = zero = None
    for i1 in range(0, cols, blocksize):
        i2 = min(i1 + blocksize, cols)
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(i2 - i1):
            w = W1[:, i]
            d = Hinv1[i, i]
            if (i1 + i) % groupsize == 0:
                # gptq.py: W (the columns of this block as they were before it); the lab: W1 (updated)
                src = W[:, i1 + i:i1 + i + groupsize] if grid == "stale" else torch.cat([W1[:, i:], W[:, i2:]], 1)[:, :groupsize]
                scale, zero = find_params(src, maxq)
            q = quantize(w, scale, zero, maxq)
            Q1[:, i] = q
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    return Q


def rtn(W, bits, groupsize):
    maxq = 2**bits - 1
    Q = torch.zeros_like(W)
    for g in range(0, W.shape[1], groupsize):
        scale, zero = find_params(W[:, g:g + groupsize], maxq)
        Q[:, g:g + groupsize] = quantize(W[:, g:g + groupsize], scale.unsqueeze(1), zero.unsqueeze(1), maxq)
    return Q


def rel_err(W, Q, H):
    D = (W - Q).double()
    H = H.double()
    return float(torch.trace(D @ H @ D.T) / torch.trace(W.double() @ H @ W.double().T))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    a = ap.parse_args()
    dt = getattr(torch, a.dtype)
    index = json.load(open(os.path.join(a.dump, "index.json")))
    read = lambda f: torch.from_numpy(np.fromfile(os.path.join(a.dump, f), dtype="<f4").astype(np.float64 if a.dtype == "float64" else np.float32))
    out = []
    for L in index["layers"]:
        rows, cols = L["shape"]
        k = L["in_dim"]
        # stored (in, out) for in_out: W (out, in) is its transpose
        to_oi = (lambda x: x.reshape(rows, cols).T.contiguous()) if L["layout"] == "in_out" else (lambda x: x.reshape(rows, cols))
        W = to_oi(read(L["weight"])).to(dt)
        H = read(L["hessian"]).reshape(k, k).to(dt)
        for g in (128, 32):
            lab = to_oi(read(L["lab_gptq3"][f"g{g}"])).to(dt)
            R = rtn(W, index["bits"], g)
            row = {"layer": L["name"], "in": k, "out": W.shape[0], "group": g, "err_rtn": rel_err(W, R, H), "err_lab": rel_err(W, lab, H)}
            for grid in ("stale", "updated"):
                Q = fasterquant(W, H, index["bits"], g, grid=grid)
                same = torch.isclose(Q, lab, rtol=1e-6, atol=1e-7)
                row[f"same_{grid}"] = float(same.double().mean())
                row[f"differ_{grid}"] = int((~same).sum())
                row[f"err_py_{grid}"] = rel_err(W, Q, H)
            out.append(row)
            print(f"{L['name']:36s} in {k:4d} g{g:3d}: differ from the lab's {row['differ_stale']} (gptq.py grid) / {row['differ_updated']} (updated grid) of {W.numel()};"
                  f" layer error RTN {row['err_rtn']:.4e} lab {row['err_lab']:.4e} py {row['err_py_stale']:.4e} / {row['err_py_updated']:.4e}")
    json.dump({"dtype": a.dtype, "samples": index["samples"], "rows": out}, open(os.path.join(a.dump, f"check-{a.dtype}.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
