"""khabar's exceptions and warnings.

Every error khabar raises is a :class:`KhabarError`; those about a value the caller gave
are also :class:`ValueError` s, so ``except ValueError`` keeps working.
"""

__all__ = ["KhabarError", "CorpusError", "QueryError", "RecordError", "RecordWarning"]


class KhabarError(Exception):
    """Base class of khabar's errors."""


class CorpusError(KhabarError):
    """The corpus store or index failed, or the directory holds no (or a newer) corpus."""


class QueryError(KhabarError, ValueError):
    """A query or filter could not be understood: a bad date, an unknown entity..."""


class RecordError(KhabarError, ValueError):
    """A record given to ``nlp.pipe`` could not be read as a text or an article."""


class RecordWarning(UserWarning):
    """A record was skipped (``nlp.pipe(..., on_error="warn")``, ``Corpus.index``)."""
