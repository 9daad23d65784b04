"""Shared fixtures: the real bundled model, and tiny random models saved to disk.

Tiny models are built with ``save_pretrained`` into a temp dir and then loaded through
the same ``load_model`` path the app uses, so no part of loading is mocked.
"""

from __future__ import annotations

import os

# No hub at test time: a hub id must fail fast with the offline message.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# Database fixtures (SQLite and a throwaway PostgreSQL cluster) for the class-store tests.
pytest_plugins = ("classroom_db",)

CORPUS = (
    "the capital of france is paris . tell me about paris . paris hilton news . "
    "transcription factors bind gene loci in open chromatin . attention weighs tokens ."
)


@pytest.fixture(scope="session")
def bundled():
    from lib.models.loading import load_model

    return load_model()


def _train_tokenizer(kind: str):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if kind == "decoder":
        tok = Tokenizer(models.BPE(unk_token=None))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=300, special_tokens=["<|endoftext|>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        )
        tok.train_from_iterator([CORPUS] * 5, trainer)
        return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>",
                                       bos_token="<|endoftext|>")
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=200, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tok.train_from_iterator([CORPUS] * 5, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
        pad_token="[PAD]", mask_token="[MASK]",
    )


def _save_tiny(folder: Path, kind: str) -> Path:
    from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

    tokenizer = _train_tokenizer(kind)
    if kind == "decoder":
        config = GPT2Config(vocab_size=len(tokenizer), n_embd=16, n_layer=2, n_head=2,
                            n_positions=64)
        model = GPT2LMHeadModel(config)
    else:
        config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=3,
                            num_attention_heads=4, intermediate_size=32,
                            max_position_embeddings=64)
        model = BertModel(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def model_root(tmp_path_factory) -> Path:
    """A folder of tiny saved models, the allowed CA_MODEL_DIR for local loading."""
    root = tmp_path_factory.mktemp("models")
    _save_tiny(root / "tiny-gpt2", "decoder")
    _save_tiny(root / "tiny-bert", "encoder")
    from transformers import T5Config, T5Model

    T5Model(T5Config(vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1,
                     num_heads=2)).save_pretrained(root / "tiny-t5")
    return root


from browser_support import browser, page, server  # noqa: E402,F401  (shared browser fixtures)
