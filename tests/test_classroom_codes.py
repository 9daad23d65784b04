"""Class codes, teacher keys and key hashing (lib/classroom/codes.py, words.py)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lib.classroom import codes
from lib.classroom.codes import (
    CODE_EXAMPLE,
    Scrypt,
    hash_key,
    key_matches,
    new_code,
    new_teacher_key,
    normalize_code,
    normalize_key,
)
from lib.classroom.words import WORDS

CODE_SHAPE = re.compile(r"([a-z]+)-([a-z]+)-([a-z]+)-([2-9]{2})")
FAST = Scrypt(n=2**4)  # same code path, cheap, for property tests


def test_word_list_is_256_short_lowercase_distinct_prefix_free_words():
    assert len(WORDS) == 256 == len(set(WORDS))
    assert all(re.fullmatch(r"[a-z]{3,6}", w) for w in WORDS)
    prefixes = [(a, b) for a in WORDS for b in WORDS if a != b and b.startswith(a)]
    assert prefixes == []


def test_new_codes_are_three_listed_words_and_two_unambiguous_digits():
    seen = set()
    for _ in range(200):
        code = new_code()
        match = CODE_SHAPE.fullmatch(code)
        assert match, code
        assert all(w in WORDS for w in match.groups()[:3])
        assert normalize_code(code) == code
        seen.add(code)
    assert len(seen) > 190  # random, not a fixed sequence


def test_the_example_code_is_a_valid_code():
    assert normalize_code(CODE_EXAMPLE) == CODE_EXAMPLE


def test_typed_codes_forgive_case_and_separators():
    for typed in (
        "Maple Otter River 47",
        "  MAPLE-OTTER-RIVER-47 ",
        "maple_otter_river.47",
        "mapleotterriver47",
        "maple otter river47",
        "maple--otter  river_-47",
    ):
        assert normalize_code(typed) == "maple-otter-river-47", typed


def test_malformed_codes_are_not_codes():
    for typed in (
        "",
        "maple-otter-47",  # two words
        "maple-otter-river-lake-47",  # four words
        "maple-otter-river-4",  # one digit
        "maple-otter-river-471",
        "maple-otter-river-10",  # 0 and 1 are never used
        "maple-otter-rivers-47",  # not a listed word
        "47-maple-otter-river",
        "maple-otter-river-47'; DROP TABLE classes; --",
        "mäple-otter-river-47",
        "maple-otter-river-47" * 10,
        None,
        47,
    ):
        assert normalize_code(typed) is None, typed


@given(st.text(max_size=120))
def test_normalize_code_never_raises_and_returns_canonical_codes(typed):
    result = normalize_code(typed)
    assert result is None or (CODE_SHAPE.fullmatch(result) and normalize_code(result) == result)


def test_teacher_keys_are_160_bit_base32_in_groups_of_four():
    keys = {new_teacher_key() for _ in range(50)}
    assert len(keys) == 50
    for key in keys:
        assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){7}", key)
        assert normalize_key(key) == key.replace("-", "")
        assert normalize_key(key.upper().replace("-", " ")) == key.replace("-", "")


def test_malformed_keys_are_not_keys():
    good = new_teacher_key().replace("-", "")
    for typed in (good[:-1], good + "a", good[:-1] + "1", good[:-1] + "0", "", None, "x" * 500):
        assert normalize_key(typed) is None


def test_the_stored_hash_is_salted_scrypt_and_never_the_key():
    key = normalize_key(new_teacher_key())
    first, second = hash_key(key), hash_key(key)
    assert first.kdf == "scrypt:16384:8:1"
    assert first.salt != second.salt and first.digest != second.digest
    assert key.encode() not in first.digest and len(first.digest) == 32
    assert first.digest == Scrypt().derive(key, first.salt)


def test_only_the_right_key_matches_in_any_typed_form():
    raw = new_teacher_key()
    stored = hash_key(normalize_key(raw), kdf=FAST)
    assert key_matches(raw, stored)
    assert key_matches(raw.upper().replace("-", " "), stored)
    assert not key_matches(new_teacher_key(), stored)
    assert not key_matches("", stored)
    assert not key_matches(raw, None)  # no class: never a match, even for a real key


def test_a_missing_class_is_checked_against_a_full_cost_dummy_hash(monkeypatch):
    calls = []
    real = Scrypt.derive

    def counting(self, key, salt):
        calls.append(self.n)
        return real(self, key, salt)

    monkeypatch.setattr(Scrypt, "derive", counting)
    key_matches(new_teacher_key(), None)
    key_matches("not a key", None)
    key_matches("not a key", None, kdf=FAST)  # a store with another cost uses its own
    assert calls == [codes.DEFAULT_KDF.n, codes.DEFAULT_KDF.n, FAST.n]


@given(st.text(max_size=60))
def test_no_typed_text_matches_a_stored_key_but_the_key(typed):
    key = "abcdefghijklmnopqrstuvwxyz234567"
    stored = hash_key(key, kdf=FAST)
    assert key_matches(typed, stored) == (normalize_key(typed) == key)
