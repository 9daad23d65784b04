"""Raw forward pass versus the full extract-plus-relevance pipeline, at 12/128/512 tokens.

Target (issue: foundation): pipeline <= 1.3 x raw + 5 ms at each length. The two are timed
in alternation under the server's heap policy, so their ratio is what the app pays.
Run: `python -m bench.bench_pipeline`.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import paired_median_seconds, row  # noqa: E402

WORDS = ["transcription", "factors", "bind", "gene", "loci", "while", "attention", "heads", "weigh", "tokens", "in", "context", "and", "the", "cell", "decides", "which", "genes", "to", "read"]


def prompt_of(tokens: int, tokenizer) -> str:
    """A prompt that tokenizes to about ``tokens`` tokens (special tokens included)."""
    words: list[str] = []
    while len(tokenizer(" ".join(words))["input_ids"]) < tokens:
        words.append(WORDS[len(words) % len(WORDS)])
    return " ".join(words)


def run(*, repeats: int = 15) -> list[dict]:
    import torch

    from lib.attention.extract import extract_attention
    from lib.attention.relevance import select_relevance
    from lib.models.loading import load_model
    from lib.models.memory import return_large_blocks_promptly

    return_large_blocks_promptly()  # as the server runs (app.py); its cost: bench/bench_heap.py
    loaded = load_model()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rows = []
    for size in (12, 128, 512):
        text = prompt_of(size, loaded.tokenizer)
        encoded = loaded.tokenizer(text, return_tensors="pt", truncation=True, max_length=512)

        def raw(encoded=encoded):
            with torch.inference_mode():
                loaded.model(**encoded, output_attentions=True)

        def pipeline(text=text):
            result = extract_attention(loaded, text)
            select_relevance(result, query=result.seq_len // 2, layer=2, head="mean",
                             temperature=1.5, special="reservoir")

        reps = repeats if size < 512 else max(5, repeats // 2)
        raw_s, pipe_s = paired_median_seconds(raw, pipeline, repeats=reps, warmup=2)
        budget = 1.3 * raw_s + 0.005
        label = f"{len(encoded['input_ids'][0])} tokens"
        rows.append(row("raw forward pass", label, raw_s * 1e3, "ms", "(reference)", None))
        rows.append(row("extract + relevance", label, pipe_s * 1e3, "ms",
                        f"<= {budget * 1e3:.1f} ms (1.3x raw + 5 ms)", pipe_s <= budget))
    return rows


if __name__ == "__main__":
    from bench.report import print_table

    print_table(run())
