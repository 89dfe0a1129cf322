"""Does a draft read as English? The rules do, so a draft in another language gets a plain
notice instead of findings that look sure and are not.

A cheap check, no model: the share of common function words of English and of a few
other languages (`english.yaml`, validated when loaded), and the share of letters outside
the Latin script. Only the objectives' and key results' text is read (titles and stray
lines are not the draft's language).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from .diskcache import YAMLSyntaxError, load_yaml
from .errors import ConfigError
from .models import OkrSet

_WORD = re.compile(r"[^\W\d_]+")
_FILE = Path(__file__).with_name("english.yaml")


class LanguageWords(BaseModel, extra="forbid"):
    min_words: int = Field(ge=1)
    min_share: float = Field(gt=0, lt=1)
    ratio: float = Field(ge=1)
    min_non_latin: float = Field(gt=0, le=1)
    english: list[str] = Field(min_length=10)
    languages: dict[str, list[str]] = Field(min_length=1)

    @cached_property
    def english_words(self) -> frozenset[str]:
        return frozenset(self.english)

    @cached_property
    def telling(self) -> dict[str, list[str]]:
        """Each word and the other languages it tells of (a word English uses too tells of
        none); built once, so a draft's few distinct words are looked up, not every list."""
        telling: dict[str, list[str]] = {}
        for name, vocabulary in self.languages.items():
            for word in set(vocabulary) - self.english_words:
                telling.setdefault(word, []).append(name)
        return telling


@cache
def load_words(path: Path = _FILE) -> LanguageWords:
    try:
        return LanguageWords.model_validate(load_yaml(path))
    except (OSError, YAMLSyntaxError) as exc:
        raise ConfigError(f"{path.name}: cannot read the language words: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path.name}: {where}: {first['msg']}") from None


def _latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def _non_latin_share(text: str) -> float:
    """The share of the text's letters outside the Latin script (0 with no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    # An ASCII letter is Latin: only the others are looked up by name.
    return sum(not ch.isascii() and not _latin(ch) for ch in letters) / len(letters) if letters else 0.0


def draft_language(texts: list[str], words: LanguageWords | None = None) -> str | None:
    """None when the texts read as English (or are too short to tell), else the language
    they look like ('German', …, or 'not English' for another script)."""
    w = words or load_words()
    text = " ".join(texts).lower()
    # An ASCII text has only Latin letters: naming each letter is for the other drafts.
    if not text.isascii() and _non_latin_share(text) >= w.min_non_latin:
        return "not English"
    tokens = _words(text)
    if len(tokens) < w.min_words:
        return None
    # Each distinct word counted once, then looked up once (not every token once per
    # language, nor every listed word).
    counts = Counter(tokens)
    en = sum(n for t, n in counts.items() if t in w.english_words) / len(tokens)
    found = dict.fromkeys(w.languages, 0)
    for t, n in counts.items():
        for name in w.telling.get(t, ()):
            found[name] += n
    best, share = None, 0.0
    for name, n in found.items():
        s = n / len(tokens)
        if s > share:
            best, share = name, s
    if best is not None and share >= w.min_share and share > w.ratio * en:
        return best
    return None


def _words(text: str) -> list[str]:
    """What _WORD finds: an ASCII text by one byte table instead (each character that is
    no letter a space), a fifth of the pattern's cost on a whole draft."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_LETTERS).decode("ascii").split()
    return _WORD.findall(text)


# The ASCII characters _WORD takes (the letters) as they are, the others as a space.
_ASCII_LETTERS = bytes(c if chr(c).isalpha() else 32 for c in range(128)) + bytes(range(128, 256))


def language_notice(okr_set: OkrSet) -> str | None:
    """The notice a review carries when its draft does not read as English."""
    texts = [t for o in okr_set.objectives for t in (o.text, *(k.text for k in o.key_results))]
    language = draft_language(texts)
    if language is None:
        return None
    looks = "is not in English" if language == "not English" else f"looks {language}"
    return (
        f"This draft {looks}. The rules read English (the verbs, 'from … to', the metric "
        "words), so the findings and rewrites below may be wrong: read them as hints, "
        "or review an English version."
    )
