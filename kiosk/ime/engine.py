"""Pinyin → Chinese candidates for the on-screen keyboard (Kivy-free).

The model is ``Pinyin2Hanzi``'s DAG data (shipped inside the package: syllable →
character and phrase probabilities), loaded once on first use. Input is what the
resident typed on the letter keys: lower-case letters, ``v`` for ü, an optional
apostrophe to force a syllable break (``xi'an``).

``lookup`` returns ranked ``Candidate``s: first whole phrases covering every
complete syllable typed, then single characters of the first syllable (so a
name can be entered character by character). Each candidate says how much of
the input it consumes, so the keyboard keeps the rest (``zhangsan`` → choose 张 →
``san`` remains).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PHRASES_FIRST = 3
_lock = threading.Lock()
_params: Any = None
_SYLLABLES: frozenset[str] = frozenset()
_PREFIXES: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    text: str
    consumed: int  # letters of the normalised input used up (apostrophes included)
    rest: str  # what remains to be converted after choosing this candidate


def _model() -> Any:
    global _params, _SYLLABLES, _PREFIXES
    with _lock:
        if _params is None:
            from Pinyin2Hanzi import DefaultDagParams, all_pinyin

            syllables = frozenset(all_pinyin())
            _SYLLABLES = syllables
            _PREFIXES = frozenset(s[:i] for s in syllables for i in range(1, len(s) + 1))
            _params = DefaultDagParams()
        return _params


def forget() -> None:
    """Drop the lookup caches at the end of a visit: they hold what the resident typed
    (a name in pinyin, and its characters as candidates)."""
    _lookup.cache_clear()
    segment.cache_clear()


def warm_up() -> None:
    """Load the model now (about a third of a second) instead of on the first key."""
    _model()


def normalise(text: str) -> str:
    return re.sub(r"[^a-z']", "", text.lower().replace("ü", "v").replace("u:", "v"))


@lru_cache(maxsize=4096)
def segment(text: str) -> tuple[tuple[str, int, int], ...]:
    """Split into syllables ``(syllable, start, end)``; the last may be a prefix (partial).

    Fewest pieces wins (``xian`` → xian, not xi + an); an apostrophe forces a break.
    Letters that cannot start any syllable end the segmentation.
    """
    _model()
    text = normalise(text)
    n = len(text)
    # best[i]: (pieces, partial_count, segmentation) for text[:i]
    best: list[tuple[int, int, tuple[tuple[str, int, int], ...]] | None] = [None] * (n + 1)
    best[0] = (0, 0, ())
    for i in range(n):
        if best[i] is None:
            continue
        start = i + 1 if text[i] == "'" else i
        if start != i:
            if best[start] is None or best[start][:2] > best[i][:2]:  # type: ignore[index]
                best[start] = best[i]
            continue
        pieces, partial, seg = best[i]  # type: ignore[misc]
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = text[i:j]
            if piece in _SYLLABLES:
                score = (pieces + 1, partial, (*seg, (piece, i, j)))
            elif piece in _PREFIXES and j == n:
                score = (pieces + 1, partial + 1, (*seg, (piece, i, j)))
            else:
                continue
            if best[j] is None or score[:2] < best[j][:2]:  # type: ignore[index]
                best[j] = score
    for end in range(n, 0, -1):
        if best[end] is not None:
            return best[end][2]  # type: ignore[index]
    return ()


def _phrases(syllables: list[str], limit: int) -> list[tuple[str, float]]:
    from Pinyin2Hanzi import dag

    return [("".join(item.path), item.score) for item in dag(_model(), syllables, path_num=limit)]


@lru_cache(maxsize=2048)
def _lookup(text: str, limit: int) -> tuple[Candidate, ...]:
    text = normalise(text)
    seg = segment(text)
    if not seg:
        return ()
    complete = [s for s in seg if s[0] in _SYLLABLES]
    if len(complete) < len(seg):
        complete = complete[: len(seg) - 1]
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(word: str, end: int) -> None:
        if word and word not in seen and len(out) < limit:
            seen.add(word)
            rest = text[end:].lstrip("'")
            out.append(Candidate(word, len(text) - len(rest), rest))

    if complete:
        end = complete[-1][2]
        phrases = _phrases([s[0] for s in complete], limit) if len(complete) > 1 else []
        # The best few whole phrases, then the first syllable's characters, then the rest.
        for word, _ in phrases[:PHRASES_FIRST]:
            add(word, end)
        for word, _ in _phrases([complete[0][0]], limit):
            add(word, complete[0][2])
        for word, _ in phrases[PHRASES_FIRST:]:
            add(word, end)
    else:  # only a partial syllable so far ("zh"): the likeliest characters of its syllables
        prefix, _, end = seg[0]
        scored: list[tuple[float, str]] = []
        for syllable in sorted(s for s in _SYLLABLES if s.startswith(prefix)):
            for word, score in _model().get_phrase([syllable], num=limit):
                scored.append((score, word))
        for _, word in sorted(scored, key=lambda p: -p[0]):
            add(word, end)
    return tuple(out)


def lookup(pinyin: str, limit: int = 9) -> list[Candidate]:
    return list(_lookup(pinyin, limit))


def candidates(pinyin: str, limit: int = 9) -> list[str]:
    """Ranked Chinese candidates for typed pinyin (``"zhang"`` → ``["章", "长", "张", …]``)."""
    return [c.text for c in _lookup(pinyin, limit)]
