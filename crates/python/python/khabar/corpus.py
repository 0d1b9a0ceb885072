"""The corpus from Python: store, index, search, stories, entities, "who said what".

Answers are plain Python objects — the records ``khabar ... --format json`` prints — in
:class:`Results` lists that carry the answer's totals and turn into pandas DataFrames.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Union

from ._khabar import _Corpus
from .errors import RecordWarning

__all__ = ["Corpus", "IndexReport", "Results"]

PathLike = Union[str, "os.PathLike[str]"]


class Results(list):
    """A list of result records (dicts) with the answer's figures as attributes
    (``total``, ``took_ms``, ``query``; ``speaker`` and ``about`` for :meth:`Corpus.said`).
    """

    total: int
    took_ms: Optional[float]
    query: Optional[str]
    speaker: Optional[dict]
    about: Optional[dict]

    def __init__(self, items: Iterable[Any] = (), **meta: Any) -> None:
        super().__init__(items)
        self.meta: dict = meta
        self.total = meta.get("total", len(self))
        self.took_ms = meta.get("took_ms")
        self.query = meta.get("query")
        self.speaker = meta.get("speaker")
        self.about = meta.get("about")

    def to_pandas(self):
        """The records as a pandas DataFrame, one row each (needs ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_pandas() needs pandas: pip install pandas (or khabar[pandas])"
            ) from e
        return pd.DataFrame(list(self))

    def __repr__(self) -> str:
        return f"Results(total={self.total}) {list.__repr__(self)}"


@dataclass
class IndexReport:
    """What an indexing run did. ``rejections`` lists every skipped record as
    ``{"where": "<records>:N" or "file:line", "reason": ...}``."""

    articles: int
    indexed: int
    unchanged: int
    rejected: int
    failed: int
    seconds: float
    stories: Optional[dict] = None
    rejections: list = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.indexed} articles indexed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected in {self.seconds:.1f} s"
        )


_DATE_KEYS = {"from": "from_", "from_": "from_", "to": "to"}


def _filters(given: Mapping[str, Any], allowed: Iterable[str]) -> dict:
    """Keyword filters as the extension takes them: ``from`` (or ``from_``) and ``to`` are
    dates in any format the CLI reads; unknown names are refused."""
    allowed = set(allowed)
    out = {}
    for key, value in given.items():
        name = _DATE_KEYS.get(key, key)
        if name not in allowed:
            names = ", ".join(sorted("from" if a == "from_" else a for a in allowed))
            raise TypeError(f"unknown filter {key!r}; the filters are: {names}")
        if value is not None:
            out[name] = str(value)
    return out


def _records(records: Any) -> Iterable[Any]:
    if isinstance(records, (str, bytes, os.PathLike)):
        raise TypeError(
            "Corpus.index() takes article records (dicts); for files use "
            "Corpus.index_files(path, ...)"
        )
    if hasattr(records, "to_dict") and hasattr(records, "columns"):
        # A pandas DataFrame: one record per row, missing values as None.
        frame = records.astype(object).where(records.notna(), None)
        return frame.to_dict("records")
    return records


class Corpus:
    """A corpus directory (an SQLite store and a full-text index), created when missing.

    >>> corpus = khabar.Corpus("news-db")                           # doctest: +SKIP
    >>> corpus.index([{"id": "a1", "title": "…", "body": "…", "date": "2015-07-21"}])
    >>> corpus.search("القوات", source="aawsat", **{"from": "2015-07-01"})
    >>> corpus.said("عادل الجبير", about="إيران").to_pandas()
    """

    def __init__(self, path: PathLike, *, create: bool = True) -> None:
        self._corpus = _Corpus(os.fspath(path), create)

    @property
    def path(self) -> str:
        """The corpus directory."""
        return os.fspath(self._corpus.path)

    def _report(self, raw: dict, warn: bool) -> IndexReport:
        if warn:
            for r in raw["rejections"]:
                warnings.warn(f"{r['where']}: {r['reason']}", RecordWarning, stacklevel=3)
        return IndexReport(
            articles=raw["articles"],
            indexed=raw["indexed"],
            unchanged=raw["unchanged"],
            rejected=raw["rejected"],
            failed=raw["failed"],
            seconds=raw["seconds"],
            stories=raw.get("stories"),
            rejections=raw["rejections"],
        )

    def index(
        self, records: Iterable[Mapping[str, Any]], *, threads: int = 0, force: bool = False,
        warn: bool = True,
    ) -> IndexReport:
        """Analyzes and stores article records: dicts (or a pandas DataFrame) with ``body``
        (or ``content``/``text``) and optionally ``title``, ``id``, ``date``, ``source``,
        ``url``. A record that cannot be read is skipped and reported (a
        :class:`RecordWarning` and ``report.rejections``); the others go in. Articles stored
        unchanged are skipped; stories are rebuilt after the run."""
        raw = self._corpus.index_records(_records(records), threads, force)
        return self._report(raw, warn)

    def index_files(
        self, *paths: PathLike, threads: int = 0, force: bool = False, warn: bool = True
    ) -> IndexReport:
        """Indexes files or directories as ``khabar index`` does: JSON Lines (also gzip or
        zstd), headline-first text, HTML, RSS/Atom, WARC."""
        raw = self._corpus.index_files([os.fspath(p) for p in paths], threads, force)
        return self._report(raw, warn)

    def search(self, query: str = "", *, limit: int = 10, **filters: Any) -> Results:
        """Ranked full-text search (clitics, diacritics and hamza spellings folded; text in
        double quotes is a phrase). Filters: ``source``, ``from``, ``to``, ``entity``,
        ``speaker``. Hits are dicts with ``id``, ``score``, ``title``, ``source``,
        ``date``, ``snippet`` (matches in ``<b>``), ``story``."""
        f = _filters(filters, ["source", "from_", "to", "entity", "speaker"])
        raw = self._corpus.search(query, limit, **f)
        return Results(raw["hits"], total=raw["total"], took_ms=raw["took_ms"], query=query)

    def article(self, id: str) -> Optional[dict]:
        """The stored analysis of an article (the ``khabar.analysis/1`` dict), or None."""
        return self._corpus.article(str(id))

    def stories(self, *, limit: int = 50, min_size: int = 2, **dates: Any) -> Results:
        """Stories (articles about one event, across outlets), largest first; ``from`` and
        ``to`` keep those with news in that period."""
        f = _filters(dates, ["from_", "to"])
        return Results(self._corpus.stories(min_size=min_size, limit=limit, **f))

    def story(self, id: int) -> Optional[dict]:
        """One story with its articles (``"articles"``, by time), or None."""
        return self._corpus.story(int(id))

    def duplicates(self, *, limit: int = 50) -> Results:
        """Groups of near-identical articles (copies across outlets), earliest first."""
        return Results(self._corpus.duplicates(limit))

    def entities(self, type: Optional[str] = None, *, limit: int = 50) -> Results:
        """Corpus entities (one per person or body across spellings), most articles first;
        ``type`` is PER, LOC, ORG or MISC."""
        return Results(self._corpus.entities(type, limit))

    def entity(self, name: Union[str, int], *, limit: int = 20) -> dict:
        """Everything about an entity (any spelling, or its id): spellings, articles per
        day, co-occurring entities, what it said and what was said about it, its stories.
        Raises :class:`QueryError` for a name the corpus does not know."""
        return self._corpus.entity(str(name), limit)

    def resolve(self, name: str) -> Results:
        """The entities a name (any spelling) may mean, best first."""
        return Results(self._corpus.resolve(name))

    def said(
        self, speaker: Union[str, int], about: Optional[str] = None, *, limit: int = 50,
        **dates: Any,
    ) -> Results:
        """What ``speaker`` (any spelling, or an entity id) said, newest first, optionally
        only about an entity or words; ``from``/``to`` bound the dates."""
        f = _filters(dates, ["from_", "to"])
        raw = self._corpus.said(str(speaker), about, limit=limit, **f)
        return Results(
            raw["quotes"], total=raw["total"], took_ms=raw["took_ms"],
            speaker=raw["speaker"], about=raw["about"],
        )

    def stats(self, *, top: int = 10) -> dict:
        """Totals, articles per outlet and per day, top entities and speakers."""
        return self._corpus.stats(top)

    def __len__(self) -> int:
        return len(self._corpus)

    def __repr__(self) -> str:
        return f"Corpus({self.path!r})"
