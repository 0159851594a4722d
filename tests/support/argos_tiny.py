"""Builds a tiny, real Argos Translate package offline, for testing the argos engine.

No Argos package ships in any registry, so the test makes one: a SentencePiece model
trained here on a few sentences, and a one-layer CTranslate2 transformer whose
weights are set by hand so that it answers every input with one word (WORD) and
stops: attention and feed-forward weights are zero (the residual path carries the
token embedding through), position encodings are zero, and the output projection
maps "start of sentence" to WORD and WORD to "end of sentence". It is a real model
run by the real code path: tokenizer, CTranslate2 decoding, detokenizer.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

WORD = "hola"
CORPUS = [
    "hello when is my bin collected",
    "the yellow bin goes out tomorrow",
    "hola cuando pasa el camion de la basura",
    "where is the recycling centre",
    "how much does a permit cost",
] * 20


def _sentencepiece(workdir: Path) -> tuple[Path, list[str]]:
    import sentencepiece as spm

    corpus = workdir / "corpus.txt"
    corpus.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=31,
        model_type="word",
        character_coverage=1.0,
        minloglevel=2,
    )
    proc = spm.SentencePieceProcessor(model_file=str(prefix) + ".model")
    vocab = [proc.id_to_piece(i) for i in range(proc.get_piece_size())]
    return Path(str(prefix) + ".model"), vocab


def _model(model_dir: Path, vocab: list[str]) -> None:
    import numpy as np
    from ctranslate2.converters.converter import Converter
    from ctranslate2.converters.opennmt_py import _get_model_spec_seq2seq

    d, ffn, n = 8, 16, len(vocab)
    start, end, word = vocab.index("<s>"), vocab.index("</s>"), vocab.index("▁" + WORD)
    f32 = np.float32
    v: dict[str, object] = {}
    emb = np.zeros((n, d), f32)
    emb[start] = [1, -1, 0, 0, 0, 0, 0, 0]  # zero mean: layer norm keeps the direction
    emb[word] = [0, 0, 1, -1, 0, 0, 0, 0]
    for side in ("encoder", "decoder"):
        v[f"{side}.embeddings.make_embedding.emb_luts.0.weight"] = emb
        v[f"{side}.embeddings.make_embedding.pe.pe"] = np.zeros((64, 1, d), f32)
        v[f"{side}.layer_norm.weight"] = np.ones(d, f32)
        v[f"{side}.layer_norm.bias"] = np.zeros(d, f32)
    layers = {
        "encoder.transformer.0": ("self_attn",),
        "decoder.transformer_layers.0": ("self_attn", "context_attn"),
    }
    for scope, attentions in layers.items():
        for att in attentions:
            for lin in ("linear_query", "linear_keys", "linear_values", "final_linear"):
                v[f"{scope}.{att}.{lin}.weight"] = np.zeros((d, d), f32)
                v[f"{scope}.{att}.{lin}.bias"] = np.zeros(d, f32)
        norms = ["layer_norm"] if scope.startswith("encoder") else ["layer_norm_1", "layer_norm_2"]
        for norm in [*norms, "feed_forward.layer_norm"]:
            v[f"{scope}.{norm}.weight"] = np.ones(d, f32)
            v[f"{scope}.{norm}.bias"] = np.zeros(d, f32)
        v[f"{scope}.feed_forward.w_1.weight"] = np.zeros((ffn, d), f32)
        v[f"{scope}.feed_forward.w_1.bias"] = np.zeros(ffn, f32)
        v[f"{scope}.feed_forward.w_2.weight"] = np.zeros((d, ffn), f32)
        v[f"{scope}.feed_forward.w_2.bias"] = np.zeros(d, f32)
    proj = np.zeros((n, d), f32)
    proj[word] = 10 * emb[start]  # after <s>, say WORD
    proj[end] = 10 * emb[word]  # after WORD, stop
    v["generator.weight"] = proj
    v["generator.bias"] = np.zeros(n, f32)
    opt = argparse.Namespace(
        enc_layers=1, dec_layers=1, heads=2, encoder_type="transformer",
        decoder_type="transformer", position_encoding=True,
    )  # fmt: skip
    spec = _get_model_spec_seq2seq(opt, v, [vocab], [vocab], num_source_embeddings=1)

    class _Tiny(Converter):
        def _load(self):
            return spec

    _Tiny().convert(str(model_dir), force=True)


def build_package(workdir: Path, source: str = "xx", target: str = "yy") -> Path:
    """Writes WORKDIR/translate-SOURCE_TARGET.argosmodel and returns its path."""
    root = workdir / f"translate-{source}_{target}"
    root.mkdir(parents=True, exist_ok=True)
    sp_model, vocab = _sentencepiece(workdir)
    (root / "sentencepiece.model").write_bytes(sp_model.read_bytes())
    _model(root / "model", vocab)
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.9",
        "from_code": source,
        "from_name": "Test source",
        "to_code": target,
        "to_name": "Test target",
        "type": "translate",
    }
    (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    out = workdir / f"translate-{source}_{target}.argosmodel"
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(root.rglob("*")):
            zf.write(path, path.relative_to(workdir))
    return out
