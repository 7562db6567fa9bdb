"""Write the tiny Llama (e2e/fixtures/tiny-llama/onnx/model.onnx, tools/make_tiny_llama.py) in two
more published forms, for the lab's tests (rewrites in tools/published_forms.py):

  --variant bf16  e2e/fixtures/tiny-llama-bf16
                  onnx/model.onnx       weights bf16 + Cast to float (activations f32)
                  onnx/model_bf16.onnx  the whole graph computing in bf16 (no onnxruntime CPU/WASM
                                        kernel runs bf16 MatMul: the lab converts it to f32 on load)
  --variant qdq   e2e/fixtures/tiny-llama-qdq
                  onnx/model.onnx       every linear weight int8/uint8 + DequantizeLinear -> MatMul,
                                        the token embedding GatherBlockQuantized (4-bit, block 32)

  /usr/bin/python3 tools/make_published_forms.py --variant bf16|qdq [--out DIR]
"""
import argparse
import json
import os
import shutil

import onnx

from published_forms import bf16_graph, bf16_weights, gbq_embedding, qdq_int8

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "e2e", "fixtures", "tiny-llama")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["bf16", "qdq"], required=True)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or os.path.join(ROOT, "e2e", "fixtures", f"tiny-llama-{a.variant}")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    load = lambda: onnx.load(os.path.join(SRC, "onnx", "model.onnx"))
    graphs = {"model.onnx": bf16_weights(load()), "model_bf16.onnx": bf16_graph(load())} if a.variant == "bf16" \
        else {"model.onnx": gbq_embedding(qdq_int8(load()))}
    for name, m in graphs.items():
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, "onnx", name))
        print(f"{a.variant}: onnx/{name} {os.path.getsize(os.path.join(out, 'onnx', name))} bytes")
    cfg = json.load(open(os.path.join(SRC, "config.json")))
    if a.variant == "bf16":
        cfg["torch_dtype"] = "bfloat16"
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(SRC, f), os.path.join(out, f))


if __name__ == "__main__":
    main()
