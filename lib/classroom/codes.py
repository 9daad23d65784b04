"""Class codes students type, and the secret teacher keys that open a class's results.

**Class code**: three words from ``WORDS`` and two digits, e.g. ``maple-otter-river-47``.
Words are easier to read aloud, copy from a board and type than random characters
(the Diceware idea: Reinhold 1995). The digits come from 2-9 only, so nobody confuses 0/O
or 1/l. 256^3 x 64 codes = 2^30: a code is an address that lets students *add* anonymous
results, not a secret that protects anything (reading needs the teacher key), so it only
has to be hard to stumble on; per-session rate limits (``limits.py``) slow down guessing.
Typing is forgiving: any case, any separators (spaces, dots, hyphens, underscores), or
none at all, because the word list is prefix-free.

**Teacher key**: 20 random bytes from ``secrets`` (160 bits), shown once in base32 in
groups of four (``abcd-efgh-...``): base32 has no 0, 1, 8 or 9, so it cannot be misread.
Only a hash is stored. The hash is scrypt (Percival 2009, "Stronger key derivation via
sequential memory-hard functions"; RFC 7914) with a random 16-byte salt per class and
N=2^14, r=8, p=1 (16 MiB, about 70 ms here). With 160 bits of entropy even a fast hash
could not be inverted, so scrypt is defence in depth: if the stored table leaks, the keys
stay out of reach even if a future version lets teachers pick weaker keys. The parameters are
stored beside each hash, so they can be raised later without breaking older classes.
Checking compares digests with ``hmac.compare_digest`` (constant time), and a missing class
is checked against a dummy hash, so a wrong key costs the same time whether or not the
class exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from lib.classroom.words import WORDS

CODE_WORDS = 3
CODE_DIGITS = "23456789"
N_CODE_DIGITS = 2
CODE_EXAMPLE = "maple-otter-river-47"
MAX_TYPED_CODE_CHARS = 100  # longer input is refused before any parsing

KEY_BYTES = 20
KEY_CHARS = 32  # base32 of 20 bytes, no padding
KEY_GROUP = 4
SALT_BYTES = 16

_WORD_SET = frozenset(WORDS)
_SEPARATORS = re.compile(r"[\s._\-]+")
_LETTERS_DIGITS = re.compile(r"([a-z]+)([0-9]+)")
_KEY_CHARS = re.compile(r"[a-z2-7]{32}")


def new_code() -> str:
    """A fresh random class code, e.g. ``maple-otter-river-47``."""
    words = [secrets.choice(WORDS) for _ in range(CODE_WORDS)]
    digits = "".join(secrets.choice(CODE_DIGITS) for _ in range(N_CODE_DIGITS))
    return "-".join([*words, digits])


def _split_words(letters: str) -> list[str] | None:
    # The list is prefix-free, so at each point at most one word can start here.
    words: list[str] = []
    rest = letters
    while rest:
        word = next((w for w in WORDS if rest.startswith(w)), None)
        if word is None:
            return None
        words.append(word)
        rest = rest[len(word) :]
    return words


def normalize_code(typed: str) -> str | None:
    """The canonical form of a typed class code, or None if it is not shaped like one.

    Accepts any case and any separators (or none): ``Maple Otter River 47``,
    ``maple_otter_river-47`` and ``mapleotterriver47`` all give ``maple-otter-river-47``.
    Only the shape is checked here; whether such a class exists is the store's business.
    """
    if not isinstance(typed, str) or len(typed) > MAX_TYPED_CODE_CHARS:
        return None
    joined = _SEPARATORS.sub("", typed.strip().lower())
    match = _LETTERS_DIGITS.fullmatch(joined)
    if match is None:
        return None
    letters, digits = match.groups()
    words = _split_words(letters)
    if words is None or len(words) != CODE_WORDS:
        return None
    if len(digits) != N_CODE_DIGITS or any(d not in CODE_DIGITS for d in digits):
        return None
    return "-".join([*words, digits])


def new_teacher_key() -> str:
    """A fresh teacher key: 32 base32 characters in groups of four, shown to the teacher once."""
    raw = base64.b32encode(secrets.token_bytes(KEY_BYTES)).decode("ascii").lower()
    return "-".join(raw[i : i + KEY_GROUP] for i in range(0, KEY_CHARS, KEY_GROUP))


def normalize_key(typed: str) -> str | None:
    """The key without separators, lower-case; None if it cannot be a teacher key."""
    if not isinstance(typed, str) or len(typed) > MAX_TYPED_CODE_CHARS:
        return None
    joined = _SEPARATORS.sub("", typed.strip().lower())
    return joined if _KEY_CHARS.fullmatch(joined) else None


@dataclass(frozen=True)
class KeyHash:
    """What is stored for a teacher key: the KDF and its parameters, the salt, the digest."""

    kdf: str  # "scrypt:N:r:p"
    salt: bytes
    digest: bytes


@dataclass(frozen=True)
class Scrypt:
    n: int = 2**14
    r: int = 8
    p: int = 1
    dklen: int = 32

    @property
    def label(self) -> str:
        return f"scrypt:{self.n}:{self.r}:{self.p}"

    @classmethod
    def from_label(cls, label: str) -> Scrypt:
        name, n, r, p = label.split(":")
        if name != "scrypt":
            raise ValueError(f"unknown key hash {name!r}; this version only knows scrypt")
        return cls(n=int(n), r=int(r), p=int(p))

    def derive(self, key: str, salt: bytes) -> bytes:
        return hashlib.scrypt(
            key.encode("ascii"), salt=salt, n=self.n, r=self.r, p=self.p, dklen=self.dklen
        )


DEFAULT_KDF = Scrypt()


def hash_key(key: str, *, kdf: Scrypt = DEFAULT_KDF) -> KeyHash:
    """Hash a normalized teacher key with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    return KeyHash(kdf.label, salt, kdf.derive(key, salt))


def key_matches(typed: str, stored: KeyHash | None, *, kdf: Scrypt = DEFAULT_KDF) -> bool:
    """True only if ``typed`` is the key behind ``stored``; always does one full hash.

    ``stored`` is None when no class matched: a dummy hash made with ``kdf`` (the cost new
    classes get) is checked instead, so the time taken does not tell a guesser whether the
    class exists.
    """
    key = normalize_key(typed)
    dummy = KeyHash(kdf.label, bytes(SALT_BYTES), bytes(kdf.dklen))
    target = stored if stored is not None else dummy
    candidate = Scrypt.from_label(target.kdf).derive(key or "", target.salt)
    same = hmac.compare_digest(candidate, target.digest)
    return same and key is not None and stored is not None
