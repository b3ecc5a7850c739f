"""Words as newsbot reads them: one rule for questions, snippets, alert topics and /latest.

A word is a run of letters and digits, or a name whose symbols are part of it ("c++", ".net",
"at&t"): its letters alone would be another word ("c" as in "Series C").
"""

from __future__ import annotations

import re

# A name whose symbols are part of it, each of which its letters alone would confuse with
# another word: a one-letter language ("c++", "c#", "f#", not the "c" of "Series C"), a name
# that starts with a dot (".net", not the "net" of "net win"; not after a letter, as in
# "Node.js", nor after another dot, as in "wait...what"), and letters joined by "&" into an
# abbreviation ("at&t", "r&d", not "at" and "t" as in "at T-Mobile").
_NAME_WITH_SYMBOLS = (
    r"(?<![^\W_])[^\W\d_](?:\+\+|#)(?![^\W\d_])"
    r"|(?<![^\W_])(?<!\.)\.[^\W\d_]+"
    r"|(?<![^\W_])(?<!&)[^\W\d_]{1,3}(?:&[^\W\d_]{1,3})+(?![^\W_])(?!&)"
)
_NAME = re.compile(_NAME_WITH_SYMBOLS)
_WORD = re.compile(_NAME_WITH_SYMBOLS + r"|[^\W_]+")
# Words as the full-text index (SQLite's unicode61 tokenizer) splits them: letters and digits
# only, any symbol (an underscore too) separating them.
_INDEX_WORD = re.compile(r"[^\W_]+")


def split_words(text: str) -> list[str]:
    """The words of ``text`` in order, names with symbols whole ("C++ and .NET" ->
    ["C++", "and", ".NET"]); case is kept, so fold the text first to compare words."""
    if not _may_hold_name(text):  # most texts: the plain split costs a third as much
        return _INDEX_WORD.findall(text)
    return _WORD.findall(text)


def _may_hold_name(text: str) -> bool:
    """Whether ``text`` may hold a name with symbols: a cheap test of the characters such a
    name needs (the engine splits every snippet it reads, and few hold one). A regular
    expression test cost as much as the split itself, for "U.S." and every "Amazon.com"."""
    if "+" in text or "#" in text or "&" in text:
        return True
    at = text.find(".")
    while at != -1:  # a dot that starts a word (".net"), not one inside it ("U.S.", "Node.js")
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before == ".") and text[at + 1 : at + 2].isalpha():
            return True
        at = text.find(".", at + 1)
    return False


def index_words(word: str) -> list[str]:
    """The full-text index's words for one of ``split_words``' words: the word itself, or the
    letters and digits of a name with symbols ("c++" -> ["c"], "at&t" -> ["at", "t"])."""
    return _INDEX_WORD.findall(word)


def has_symbols(word: str) -> bool:
    """Whether ``word`` is a name with symbols, which the index holds only part of ("c" of
    "c++"); not any text with a symbol in it ("nvidia's" is two words, as the index has it)."""
    return bool(_NAME.fullmatch(word))
