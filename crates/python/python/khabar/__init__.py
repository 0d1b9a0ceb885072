"""khabar — fast analysis of Arabic news.

>>> import khabar
>>> nlp = khabar.load()
>>> doc = nlp("قال وزير الخارجية سامح شكري في القاهرة إن المحادثات ستستمر ثلاثة أيام.")
>>> [(e.text, e.label_) for e in doc.ents]            # doctest: +SKIP
[('سامح شكري', 'PER'), ('القاهرة', 'LOC')]
>>> doc.quotes[0].speaker                             # doctest: +SKIP
'سامح شكري'

``nlp(text)`` analyzes a text as it is; ``nlp.analyze(body, title=..., id=..., date=...)``
an article (headline, line break, body, as the CLI does); ``nlp.pipe(texts)`` many texts
or article dicts on Rust threads, the interpreter released. Offsets are char offsets into
``doc.text``, end exclusive. :class:`Corpus` stores, indexes and searches articles and
groups them into stories.
"""

from ._khabar import (
    SCHEMA,
    Doc,
    DocStream,
    Keyword,
    Pipeline,
    Quantity,
    Quote,
    Span,
    Token,
    __version__,
    load,
)
from .corpus import Corpus, IndexReport, Results
from .errors import CorpusError, KhabarError, QueryError, RecordError, RecordWarning

__all__ = [
    "SCHEMA",
    "Corpus",
    "CorpusError",
    "Doc",
    "DocStream",
    "IndexReport",
    "KhabarError",
    "Keyword",
    "Pipeline",
    "Quantity",
    "QueryError",
    "Quote",
    "RecordError",
    "RecordWarning",
    "Results",
    "Span",
    "Token",
    "__version__",
    "load",
]
