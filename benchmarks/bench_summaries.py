"""Summaries with the DistilBART architecture on this machine: `smolcord bench` over a random-weight DistilBART-cnn-12-6.

No hub downloads here, so the model is built locally: BartConfig exactly as sshleifer/distilbart-cnn-12-6
(12 encoder / 6 decoder layers, d_model 1024, vocab 50264, its generation defaults), random weights,
and a byte-level BPE tokenizer (50,264 entries) trained on the chitchat-dataset corpus when that package
is installed (else on the bundled sample). Random weights never emit </s>, so every generate() runs to
its token limit: timings are the worst case of a real model.

    python benchmarks/bench_summaries.py                 # build once (~1.2 GB in ~/.cache), then benchmark
    python benchmarks/bench_summaries.py --messages 500 --out bench-results/summaries
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = Path.home() / ".cache" / "smolcord-bench" / "distilbart-cnn-12-6-architecture"
VOCAB = 50264


def corpus() -> list[str]:
    spec = importlib.util.find_spec("chitchat_dataset")
    if spec is not None and spec.submodule_search_locations:
        data = json.loads((Path(spec.submodule_search_locations[0]) / "dataset.json").read_text(encoding="utf-8"))
        return [" ".join(u["text"] for u in turn) for conversation in data.values() for turn in conversation["messages"]]
    sample = json.loads((ROOT / "bot" / "data" / "sample_conversation.json").read_text(encoding="utf-8"))
    return [m["content"] for m in sample["messages"]] * 50


def build(folder: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import BartConfig, BartForConditionalGeneration, GenerationConfig, PreTrainedTokenizerFast

    started = time.perf_counter()
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(corpus(), trainer)
    raw.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        model_max_length=1024,
    )
    # sshleifer/distilbart-cnn-12-6 config.json
    config = BartConfig(
        vocab_size=VOCAB,
        d_model=1024,
        encoder_layers=12,
        decoder_layers=6,
        encoder_attention_heads=16,
        decoder_attention_heads=16,
        encoder_ffn_dim=4096,
        decoder_ffn_dim=4096,
        max_position_embeddings=1024,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        scale_embedding=False,
        activation_function="gelu",
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        num_beams=4,
        max_length=142,
        min_length=56,
        no_repeat_ngram_size=3,
        length_penalty=2.0,
        early_stopping=True,
        bos_token_id=0,
        eos_token_id=2,
        pad_token_id=1,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
    )
    scratch = folder.with_name(folder.name + ".partial")
    model.save_pretrained(scratch)
    tokenizer.save_pretrained(scratch)
    scratch.rename(folder)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(
        f"built {folder} ({params:.0f}M parameters, tokenizer {len(tokenizer)} entries) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where the random-weight model lives (built if missing)")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "summaries"))
    parser.add_argument("--quantize", default="int8,none")
    args, extra = parser.parse_known_args()
    folder = args.folder.expanduser()
    if not (folder / "config.json").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        build(folder)
    command = [
        sys.executable,
        "-c",
        "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
        "bench",
        "--model-path",
        f"distilbart-architecture={folder}",
        "--messages",
        str(args.messages),
        "--quantize",
        args.quantize,
        "--out",
        args.out,
        *extra,
    ]
    print("$ smolcord " + " ".join(command[3:]), file=sys.stderr)
    return subprocess.call(command, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "SMOLCORD_OFFLINE": "1"})


if __name__ == "__main__":
    sys.exit(main())
