"""Train the demo GPT on the Brown training split; keep the checkpoint with the best
validation loss; stop when validation stops improving (patience) or at max_steps.

Deterministic: fixed seeds, fixed data order from a seeded generator, 2 CPU threads."""
import argparse
import json
import math
import os
import time

import torch

from bpe import BPE
from gpt import GPT, GPTConfig


def load_tokenizer(tok_dir: str) -> BPE:
    t = json.load(open(os.path.join(tok_dir, "tokenizer.json"), encoding="utf-8"))
    merges = [tuple(m.split(" ")) for m in t["model"]["merges"]]
    return BPE(merges, t["model"]["vocab"])


def tokens_of(bpe: BPE, path: str) -> torch.Tensor:
    return torch.tensor(bpe.encode(open(path, encoding="utf-8").read()), dtype=torch.long)


@torch.no_grad()
def eval_loss(model, ids: torch.Tensor, ctx: int, batch: int = 16) -> float:
    """Mean NLL over non-overlapping windows of ctx tokens (stride = ctx), every target counted once."""
    model.eval()
    n_windows = (len(ids) - 1) // ctx
    total, count = 0.0, 0
    for start in range(0, n_windows, batch):
        rows = [ids[w * ctx:(w + 1) * ctx + 1] for w in range(start, min(start + batch, n_windows))]
        x = torch.stack([r[:-1] for r in rows])
        y = torch.stack([r[1:] for r in rows])
        logits, _ = model(x, torch.ones_like(x))
        nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        total += nll.item()
        count += y.numel()
    model.train()
    return total / count


@torch.no_grad()
def response_probe(model, ids: torch.Tensor, ctx: int) -> dict:
    """Validation ppl ratio (variant / float) of a few compressed copies: how much the weights matter yet."""
    import copy
    from compression_response import VARIANTS
    base = math.exp(eval_loss(model, ids, ctx))
    out = {}
    for name in ("int4_g32", "int3_g32", "int2_g32", "prune_50"):
        m = copy.deepcopy(model)
        for block in m.h:
            for lin in (block.attn.c_attn, block.attn.c_proj, block.c_fc, block.c_proj):
                lin.weight.copy_(torch.from_numpy(VARIANTS[name](lin.weight.numpy())))
        # tied: compressing wte compresses the head and the embedding alike (the lab keeps the Gather f32;
        # this probe is only a trend, metrics.json's response is measured by compression_response.py)
        m.wte.weight.copy_(torch.from_numpy(VARIANTS[name](m.wte.weight.numpy())))
        out[name] = round(math.exp(eval_loss(m, ids, ctx)) / base, 4)
    model.train()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-steps", type=int, default=1600)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=256)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop (keeping the best checkpoint) after this wall time; 0 = no limit")
    ap.add_argument("--init", default="", help="start from this checkpoint's weights (same shape; optimizer state starts fresh)")
    ap.add_argument("--init-log", default="", help="the train_log.json of the run --init came from, kept under \"previous\"")
    ap.add_argument("--probe-tokens", type=int, default=16384,
                    help="at each evaluation also score the first N validation tokens with INT4 g32 / INT3 g32 / INT2 g32 RTN "
                         "and 50 %% magnitude weights (blocks and head), to log how the response grows; 0 = off")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="stop after this many steps while the schedule still runs to --max-steps: replays a run a time budget cut short, step for step")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    bpe = load_tokenizer(args.tokenizer)
    train = tokens_of(bpe, os.path.join(args.data, "brown-train.txt"))
    valid = tokens_of(bpe, os.path.join(args.data, "brown-valid.txt"))
    cfg = GPTConfig(vocab_size=len(bpe.vocab), n_layer=args.n_layer, n_embd=args.n_embd, n_head=args.n_head,
                    dropout=args.dropout)
    model = GPT(cfg)
    if args.init:
        init = torch.load(args.init, map_location="cpu")
        shape = {k: v for k, v in init["config"].items() if k != "dropout"}
        assert shape == {k: v for k, v in cfg.to_dict().items() if k != "dropout"}, (shape, cfg)
        model.load_state_dict(init["state_dict"])
    print(f"params {model.num_params()} train tokens {len(train)} valid tokens {len(valid)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    warmup = args.warmup

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        f = args.min_lr_frac
        return args.lr * (f + (1 - f) * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (args.max_steps - warmup))))

    gen = torch.Generator().manual_seed(args.seed)
    ctx = cfg.n_positions
    os.makedirs(args.out, exist_ok=True)
    best, bad, log = float("inf"), 0, []
    t0 = time.time()
    tokens_seen = 0
    if args.init:  # the starting point is a candidate too: phase 2 keeps it unless it beats it
        vl = eval_loss(model, valid, ctx)
        log.append({"step": 0, "valid_loss": vl, "valid_ppl": math.exp(vl), "seconds": 0.0,
                    "probe": response_probe(model, valid[:args.probe_tokens], ctx) if args.probe_tokens else None})
        print(f"EVAL step 0 (init) valid loss {vl:.4f} ppl {math.exp(vl):.2f} probe {log[-1]['probe']}", flush=True)
        best = vl
        torch.save({"config": cfg.to_dict(), "state_dict": model.state_dict(), "step": 0}, os.path.join(args.out, "best.pt"))
    for step in range(args.max_steps):
        starts = torch.randint(0, len(train) - ctx - 1, (args.batch,), generator=gen)
        x = torch.stack([train[s:s + ctx] for s in starts])
        y = torch.stack([train[s + 1:s + ctx + 1] for s in starts])
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        logits, _ = model(x, torch.ones_like(x))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens_seen += x.numel()
        if step % 20 == 0:
            el = time.time() - t0
            print(f"step {step} loss {loss.item():.4f} lr {lr_at(step):.2e} {tokens_seen / el:.0f} tok/s {el:.0f}s", flush=True)
        if (step + 1) % args.eval_every == 0 or step + 1 == args.max_steps:
            vl = eval_loss(model, valid, ctx)
            el = time.time() - t0
            probe = response_probe(model, valid[:args.probe_tokens], ctx) if args.probe_tokens else None
            log.append({"step": step + 1, "train_loss": loss.item(), "valid_loss": vl, "valid_ppl": math.exp(vl), "seconds": el,
                        "probe": probe})
            print(f"EVAL step {step + 1} valid loss {vl:.4f} ppl {math.exp(vl):.2f} ({el:.0f}s) probe {probe}", flush=True)
            if vl < best - 1e-4:
                best, bad = vl, 0
                torch.save({"config": cfg.to_dict(), "state_dict": model.state_dict(), "step": step + 1}, os.path.join(args.out, "best.pt"))
            else:
                bad += 1
            stopped = None
            if step + 1 == args.max_steps:
                stopped = None  # the schedule ran to its end
            elif bad >= args.patience:
                stopped = f"validation did not improve for {args.patience} evaluations"
            elif args.stop_after and step + 1 >= args.stop_after:
                stopped = f"stopped after step {args.stop_after} as asked"
            elif args.max_minutes and el > args.max_minutes * 60:
                stopped = f"time budget of {args.max_minutes} min reached"
            json.dump({"log": log, "stopped": stopped, "best_valid_loss": best, "best_valid_ppl": math.exp(best),
                       "tokens_seen": tokens_seen, "train_seconds": time.time() - t0, "train_tokens": len(train),
                       "valid_tokens": len(valid), "params": model.num_params(), "args": vars(args),
                       "previous": json.load(open(args.init_log)) if args.init_log else None},
                      open(os.path.join(args.out, "train_log.json"), "w"), indent=1)
            if stopped:
                print(stopped, flush=True)
                break

if __name__ == "__main__":
    main()
