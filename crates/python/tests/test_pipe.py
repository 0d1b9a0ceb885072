"""nlp.pipe: order, records, tuples, threads, bad records."""

import datetime
import threading
import warnings

import pytest

import khabar

TEXTS = [
    "وقال رئيس البلدية خالد العمري إن المدرسة الجديدة تستوعب 600 طالب.",
    "أعلنت وزارة الصحة تسجيل 12 إصابة جديدة في مدينة جدة.",
    "",
    "ارتفع مؤشر السوق بنسبة 2.5% في ختام تعاملات الأسبوع.",
    "وأكدت المتحدثة باسم الأمم المتحدة أن «المساعدات ستصل غدا».",
]
RECORDS = [
    {"id": "r1", "title": "مدرسة جديدة", "body": TEXTS[0], "date": "2015-07-21"},
    {"id": 7, "title": "إصابات", "content": TEXTS[1], "source": "test", "extra": [1, 2]},
]


def as_json(docs):
    return [d.to_json(tokens=True) for d in docs]


@pytest.mark.parametrize("batch_size,n_threads", [(1, 1), (2, 2), (256, 0)])
def test_pipe_gives_what_single_calls_give_in_order(nlp, batch_size, n_threads):
    one_by_one = [nlp(t) for t in TEXTS]
    piped = list(nlp.pipe(iter(TEXTS), batch_size=batch_size, n_threads=n_threads))
    assert as_json(piped) == as_json(one_by_one)


def test_records_are_articles_read_like_jsonl_records(nlp):
    docs = list(nlp.pipe(RECORDS + [TEXTS[3]]))
    assert [d.id for d in docs] == ["r1", "7", ""]
    assert docs[0].text == "مدرسة جديدة\n" + TEXTS[0] and docs[0].date == "2015-07-21"
    assert docs[1].source == "test" and docs[1].text.endswith(TEXTS[1])
    single = nlp.analyze(TEXTS[0], title="مدرسة جديدة", id="r1", date="2015-07-21")
    assert docs[0].to_json() == single.to_json()
    # Values JSON cannot hold are written as text (a datetime date).
    dated = next(nlp.pipe([{"body": TEXTS[1], "date": datetime.date(2015, 7, 21)}]))
    assert dated.date == "2015-07-21" and dated.id == "records:1"


def test_as_tuples_carries_the_context(nlp):
    out = list(nlp.pipe([(TEXTS[0], {"row": 1}), (RECORDS[1], 2)], as_tuples=True))
    assert [c for _, c in out] == [{"row": 1}, 2]
    assert out[1][0].id == "7"
    with pytest.raises(khabar.RecordError, match="record 1: as_tuples=True needs"):
        list(nlp.pipe([TEXTS[0]], as_tuples=True))


def test_a_bad_record_raises_in_its_place_with_its_position(nlp):
    stream = nlp.pipe([TEXTS[0], {"title": "بلا نص"}, TEXTS[1]], batch_size=8)
    assert next(stream).text == TEXTS[0]
    with pytest.raises(khabar.RecordError) as err:
        next(stream)
    assert str(err.value) == "record 2: missing body (expected `body`, `content` or `text`)"
    assert isinstance(err.value, ValueError) and isinstance(err.value, khabar.KhabarError)
    # The stream goes on after the error.
    assert next(stream).text == TEXTS[1]
    for bad, why in [(3, "found int"), ({"body": 5}, "field `body` must be a string"),
                     ({"body": float("nan")}, "invalid JSON"), (None, "found NoneType")]:
        with pytest.raises(khabar.RecordError, match=why):
            list(nlp.pipe([bad]))


def test_on_error_warn_skips_and_warns(nlp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(nlp.pipe([TEXTS[0], 42, {"id": "x"}, TEXTS[1]], on_error="warn"))
    assert [d.text for d in docs] == [TEXTS[0], TEXTS[1]]
    messages = [str(w.message) for w in caught if issubclass(w.category, khabar.RecordWarning)]
    assert messages == [
        "record 2: expected a str (a text) or a dict (an article), found int",
        "record 3: missing title and body",
    ]


def test_bad_arguments_and_failing_sources(nlp):
    with pytest.raises(ValueError, match="on_error"):
        nlp.pipe(TEXTS, on_error="ignore")
    with pytest.raises(ValueError, match="batch_size"):
        nlp.pipe(TEXTS, batch_size=0)
    with pytest.raises(TypeError):
        nlp.pipe(5)

    def failing():
        yield TEXTS[0]
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        list(nlp.pipe(failing()))


def test_the_stream_is_lazy(nlp):
    pulled = []

    def source():
        for i, t in enumerate(TEXTS * 4):
            pulled.append(i)
            yield t

    stream = nlp.pipe(source(), batch_size=3)
    next(stream)
    assert len(pulled) == 3


def test_threads_share_one_pipeline(nlp):
    expected = as_json(nlp(t) for t in TEXTS)
    results = [None] * 4

    def work(k):
        results[k] = as_json(nlp.pipe(TEXTS, batch_size=2))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4
