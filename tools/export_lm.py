"""Export a trained GPT checkpoint in the Hugging Face / Optimum layout that transformers.js
reads: config.json, generation_config.json, tokenizer files, and two ONNX graphs (opset 17):

  onnx/model.onnx                 input_ids, attention_mask -> logits
  onnx/decoder_model_merged.onnx  input_ids, attention_mask, past_key_values.N.key/value
                                  -> logits, present.N.key/value   (KV cache; past may be empty)
"""
import argparse
import json
import os
import shutil

import onnx
import torch

from gpt import GPT, GPTConfig

OPSET = 17


class Plain(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)[0]


class WithPast(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents = self.m(input_ids, attention_mask, past)
        return (logits, *[t for kv in presents for t in kv])


def readable_initializer_names(m: onnx.ModelProto) -> None:
    """torch names folded weights onnx::MatMul_515; name them after the layer that reads them,
    as Hugging Face does (transformer.h.0.attn.c_attn.weight, lm_head.weight). The output head
    is a folded transposed copy of the tied embedding, as in Optimum's GPT-2 exports."""
    names = {}
    for node in m.graph.node:
        if node.op_type == "MatMul" and node.input[1].startswith("onnx::"):
            scope = node.name.rsplit("/", 1)[0].removeprefix("/m").strip("/").replace("/", ".")
            names[node.input[1]] = f"transformer.{scope}.weight" if scope else "lm_head.weight"
    for t in m.graph.initializer:
        if t.name.startswith("m."):
            names[t.name] = "transformer." + t.name[2:]
    for t in m.graph.initializer:
        t.name = names.get(t.name, t.name)
    for node in m.graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = names.get(name, name)


def export(ckpt: str, tok_dir: str, out: str, external: bool = False) -> None:
    """external: a model past protobuf's 2 GiB: only onnx/model.onnx, its weights in
    onnx/model.onnx_data (tensors of 1 KiB and more), as ONNX writes any model that large."""
    state = torch.load(ckpt, map_location="cpu")
    trained_dropout = state["config"].get("dropout", 0.1)
    cfg = GPTConfig(**{**state["config"], "dropout": 0.0})
    model = GPT(cfg)
    model.load_state_dict(state["state_dict"])
    model.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    b, s, past_len = 1, 5, 3
    ids = torch.randint(0, cfg.vocab_size, (b, s))
    hd = cfg.n_embd // cfg.n_head

    torch.onnx.export(Plain(model), (ids, torch.ones(b, s, dtype=torch.long)), os.path.join(out, "onnx", "model.onnx"),
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                    "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                    "logits": {0: "batch_size", 1: "sequence_length"}},
                      opset_version=OPSET, do_constant_folding=True)
    graphs = ("model.onnx",) if external else ("model.onnx", "decoder_model_merged.onnx")
    if not external:
        export_merged(model, cfg, ids, out)
    for f in graphs:
        path = os.path.join(out, "onnx", f)
        m = onnx.load(path)
        readable_initializer_names(m)
        if external:
            # torch wrote one file per tensor beside it: one data file instead, as Optimum writes it
            for old in os.listdir(os.path.join(out, "onnx")):
                if old != f:
                    os.remove(os.path.join(out, "onnx", old))
            onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=1024)
            onnx.checker.check_model(path)
        else:
            onnx.checker.check_model(m)
            onnx.save(m, path)
        print(f, "initializers", sum(int(torch.tensor(t.dims).prod()) for t in m.graph.initializer),
              "bytes", os.path.getsize(os.path.join(out, "onnx", f)))
    write_folder(cfg, trained_dropout, tok_dir, out)


def export_merged(model, cfg, ids, out: str) -> None:
    b, s, past_len = 1, 5, 3
    hd = cfg.n_embd // cfg.n_head
    past = [torch.randn(b, cfg.n_head, past_len, hd) for _ in range(2 * cfg.n_layer)]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(cfg.n_layer) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(cfg.n_layer) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    dyn.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    dyn.update({n: {0: "batch_size", 2: "past_sequence_length + sequence_length"} for n in present_names})
    torch.onnx.export(WithPast(model), (ids, torch.ones(b, past_len + s, dtype=torch.long), *past),
                      os.path.join(out, "onnx", "decoder_model_merged.onnx"),
                      input_names=["input_ids", "attention_mask", *past_names], output_names=["logits", *present_names],
                      dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)


def write_folder(cfg, trained_dropout, tok_dir: str, out: str) -> None:
    config = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "vocab_size": cfg.vocab_size, "n_positions": cfg.n_positions, "n_ctx": cfg.n_positions,
        "n_embd": cfg.n_embd, "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_inner": 4 * cfg.n_embd,
        "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "tie_word_embeddings": True,
        "bos_token_id": cfg.vocab_size - 1, "eos_token_id": cfg.vocab_size - 1, "use_cache": True,
        "resid_pdrop": trained_dropout, "embd_pdrop": trained_dropout, "attn_pdrop": trained_dropout, "transformers_version": "4.46.0",
    }
    json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=1)
    json.dump({"bos_token_id": cfg.vocab_size - 1, "eos_token_id": cfg.vocab_size - 1, "max_length": cfg.n_positions,
               "do_sample": False}, open(os.path.join(out, "generation_config.json"), "w"), indent=1)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(tok_dir, f), os.path.join(out, f))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    export(a.checkpoint, a.tokenizer, a.out)
