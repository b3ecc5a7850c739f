"""What the feed parser and the file parser do alike to the fields of an article.

Both read text written by others (publishers, scrapers, exports), and whatever they return is
indexed, quoted to people and hashed: it must be text every reader can see and every encoder can
encode.
"""

from __future__ import annotations

import re

# C0 and C1 controls other than whitespace (a NUL from a JSON "\u0000", an escape sequence), DEL,
# and the invisible characters that only hide words from a search: the soft hyphen, the word
# joiner and a byte-order mark left inside the text. Never meaningful in an article. (The zero-
# width joiner and non-joiner stay: emoji sequences and several scripts need them.)
_UNSEEN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u2060\ufeff]")
# Half of a UTF-16 pair (a tweet cut mid-emoji, escaped in JSON as "\ud83d"): no encoder takes
# it, so the text could be neither hashed nor stored.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (as a decoder marks bytes it cannot
    read), controls and invisible characters dropped, and zero-width spaces made spaces (they
    separate words, so dropping them would join two)."""
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _UNSEEN.sub("", text).replace("\u200b", " ")
