"""Hostile and odd prompts, shared by the browser test suite and the benchmark."""

HOSTILE_PROMPTS: dict[str, str] = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "100k characters": "chromatin " * 10_000,
    "emoji ZWJ": "👩‍👩‍👧‍👦 and 👨🏽‍💻 bind DNA",
    "right-to-left": "مرحبا بالعالم and שלום עולם",
    "CJK": "转录因子 结合 基因 日本語 한국어",
    "combining marks": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o text",
    "zero-width": "a\u200bb\u200cc\u200dd\ufeffe gene",
    "control characters": "tab\there\x01\x02\x07bell\x1b[31mred",
    "NUL": "before\x00after",
    "script tag": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg onload": "<svg onload=alert(1)><circle r=5></svg>",
    "iframe": "<iframe src=javascript:alert(1)></iframe>",
    "attribute breakout": "\"><script>alert(document.cookie)</script>",
    "style injection": "<style>body{display:none}</style> hidden?",
    "javascript url": "javascript:alert(1)",
    "markdown link": "[click me](javascript:alert(1)) **bold** # heading",
    "markdown image": "![x](http://127.0.0.1:9/x.png)",
    "LaTeX": "$$\\frac{1}{0}$$ and \\begin{equation}x\\end{equation}",
    "HTML entities": "&lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;script&#x3E;",
    "only special tokens": "[CLS] [SEP]",
    "special token names": "[CLS] [PAD] [MASK] <|endoftext|> </s>",
    "template braces": "{{ 7*7 }} {% for x in y %}",
    "very long single word": "a" * 5000,
    "long repeated word": "supercalifragilistic" * 60,
    "SQL": "'; DROP TABLE users; --",
    "log4j": "${jndi:ldap://127.0.0.1/x}",
    "emoji flood": "😀" * 400,
    "bidi override": "\u202egnp.exe\u202c file",
    "newlines": "line one\n\nline two\r\nline three",
    "surrogate-like escapes": "\\ud800 \\u0000 literal escapes",
}


# Prompts with nothing to analyse get a message instead of charts; every other one is drawn.
NOTHING_TO_ANALYSE = frozenset({"empty", "whitespace"})
# Prompts longer than the analysis keeps get a truncation warning beside their charts.
TRUNCATED = frozenset({"100k characters", "very long single word"})


def hostile_progress_files(valid_question_id: str) -> dict[str, bytes]:
    """Malformed and tampered progress uploads; each must be refused with a clear message."""
    import json

    base = {"app": "cellular-attention", "version": 1}
    return {
        "not JSON": b"{broken",
        "empty file": b"",
        "JSON array": b"[1, 2, 3]",
        "binary junk": bytes(range(256)) * 4,
        "wrong types": json.dumps({**base, "questions": "all", "responses": 7}).encode(),
        "unknown ids": json.dumps({**base, "questions": ["no-such-question-999"],
                                   "responses": []}).encode(),
        "forged score": json.dumps({**base, "questions": [valid_question_id], "responses": [],
                                    "score": 999}).encode(),
        "over 1 MB": b'{"pad": "' + b"x" * 1_100_000 + b'"}',
        "script in JSON": json.dumps({"<script>alert(1)</script>": 1}).encode(),
    }
