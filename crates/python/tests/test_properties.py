"""Invariants over arbitrary text and over real articles cut at random places."""

import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED, spans_of

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىةًٌٍَُِّْـ٠١٢٣٤٥٦٧٨٩،؛؟«»"
PIECES = ["قال", " إن ", "وأضاف", "«", "»", "،", ".", "\n", " ", "مليون", "دولار", "%",
          "الرئيس", "وزير", "أن", ":", '"', "2015", "١٢"]
text_strategy = st.one_of(
    st.text(),
    st.text(alphabet=ARABIC + " .\n\"'():", max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
)


def check(doc, text):
    assert doc.text == text
    for label, start, end, covered in spans_of(doc):
        assert 0 <= start <= end <= len(text), label
        assert text[start:end] == covered, label
    contents = sorted((q.content.start_char, q.content.end_char) for q in doc.quotes)
    for (_, end), (start, _) in zip(contents, contents[1:]):
        assert end <= start, "quotations overlap"
    assert doc.to_dict()["text"] == text


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_any_text(nlp, text):
    check(nlp(text), text)


SEED = SHARED / "examples" / "seed-article.txt"
seed = SEED.read_text(encoding="utf-8") if SEED.is_file() else "قال الوزير إن الاجتماع انتهى."


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(seed)), st.integers(0, len(seed)))
def test_real_article_cut_anywhere(nlp, a, b):
    a, b = min(a, b), max(a, b)
    check(nlp(seed[a:b]), seed[a:b])


def test_seed_article_is_read(nlp):
    assert pathlib.Path(SEED).is_file(), "../shared/examples/seed-article.txt is missing"
    doc = nlp(seed)
    assert len(doc.quotes) >= 10 and len(doc.ents) >= 10


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
records = st.dictionaries(
    st.sampled_from(["id", "title", "body", "content", "text", "date", "source", "url", "x"]),
    json_values | text_strategy,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(records, text_strategy, st.integers(), st.none()), max_size=6))
def test_any_record_gives_a_doc_or_a_record_error(nlp, items):
    import khabar

    stream = nlp.pipe(items, batch_size=4)
    got = 0
    while True:
        try:
            doc = next(stream)
        except StopIteration:
            break
        except khabar.RecordError as e:
            assert str(e).startswith("record ")
        else:
            check(doc, doc.text)
        got += 1
    assert got == len(items)
