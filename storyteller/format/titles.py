"""When two titles are the same to a reader: the key the `duplicate-title` warning compares.

Two titles a reader cannot tell apart must not pass as different stories because one was
typed with decomposed accents, a zero-width space, a soft hyphen or a Cyrillic "а". The key
is the title in Unicode compatibility form (NFKC: decomposed and composed accents, full-width
letters and ligatures agree), without invisible characters, with the Cyrillic and Greek
letters that look like Latin ones folded to those, case-folded and with its spaces collapsed.

The look-alike table is small on purpose: the letters of the two scripts that are routinely
mistaken for Latin in the fonts storyteller uses, not Unicode's whole confusables list
(UTS #39, thousands of entries, for identifiers). It is enough that a duplicate cannot hide
behind another alphabet's "a", "e", "o", "p" or "c".
"""

from __future__ import annotations

import unicodedata

# Capital and small letters, before case-folding (Greek capital Β folds to β, which looks like
# nothing Latin; the capital itself looks like B).
_CYRILLIC = "АаВЕеЅѕІіЈјКкМНОоРрСсТУуХхԀԁҺһԚԛԜԝӀӏ"
_CYRILLIC_AS = "aabeessiijjkkmhooppcctyyxxddhhqqwwll"
_GREEK = "ΑαΒΕΖΗΙιΚκΜΝνΟοΡρΤΥυΧχ"
_GREEK_AS = "aabezhiikkmnvoopptyuxx"
_LOOKALIKE = str.maketrans(_CYRILLIC + _GREEK, _CYRILLIC_AS + _GREEK_AS)

# Invisible but not format characters (those, category Cf, are all dropped): the combining
# grapheme joiner, variation selectors and the Hangul fillers.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0") | {chr(c) for c in range(0xFE00, 0xFE10)}


def title_key(title: str) -> str:
    """The form of ``title`` that two titles a reader would take for the same share."""
    text = unicodedata.normalize("NFKC", title)
    text = "".join(c for c in text if c not in _INVISIBLE and unicodedata.category(c) != "Cf")
    return " ".join(text.translate(_LOOKALIKE).casefold().split())
