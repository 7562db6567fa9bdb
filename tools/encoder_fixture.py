"""What the tiny encoder classifier fixtures (tools/make_distilbert_fixture.py, make_roberta_fixture.py)
share: random seeded weights large enough that the four genre logits differ from text to text, and the
export as onnx/model.onnx with input_ids, attention_mask -> logits (batch, labels)."""
import os

import onnx
import torch


def random_weights(model: torch.nn.Module, std: float = 0.3) -> None:
    """Every matrix drawn from N(0, std) (the caller seeds torch first); biases and norms as built."""
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.normal_(0, std)
    model.eval()


def export_classifier(model: torch.nn.Module, ids: torch.Tensor, pad: int, out: str) -> str:
    """onnx/model.onnx under `out`, traced on `ids` (pads = `pad` masked), batch and length dynamic."""
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    mask = (ids != pad).long()
    path = os.path.join(out, "onnx", "model.onnx")
    torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={n: {0: "batch_size", 1: "sequence_length"} for n in ("input_ids", "attention_mask")} | {"logits": {0: "batch_size"}},
                      opset_version=17, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    return path


def tiny_config(vocab_size: int, max_position_embeddings: int, num_labels: int):
    """The fixtures' shape: 2 post-LN layers of width 32, 2 heads, FFN 64, no dropout."""
    from bert import BertConfig
    return BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                      max_position_embeddings=max_position_embeddings, num_labels=num_labels, dropout=0.0)


def fixture_args(name: str):
    """--out (e2e/fixtures/<name>) and --seed, torch seeded with it."""
    import argparse
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(root, "e2e", "fixtures", name))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    return a
