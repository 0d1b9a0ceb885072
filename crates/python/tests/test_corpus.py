"""khabar.Corpus: index records and files, search with filters, stories, entities, said."""

import json
import warnings

import pytest

import khabar

BODY_TRUCE = (
    "أعلن وزير الخارجية عادل الجبير في الرياض أن الهدنة في اليمن تبدأ منتصف الليل. "
    "وقال الجبير إن «الهدنة فرصة لإيصال المساعدات إلى المدنيين». "
    "وأضاف أن القوات ستلتزم بوقف إطلاق النار خمسة أيام."
)
ARTICLES = [
    {"id": "a1", "title": "بدء هدنة إنسانية في اليمن", "body": BODY_TRUCE,
     "date": "2015-07-25 10:00:00", "source": "alpha"},
    # The same text from another outlet an hour later: a copy.
    {"id": "a2", "title": "هدنة إنسانية في اليمن تبدأ الليلة", "body": BODY_TRUCE,
     "date": "2015-07-25 11:00:00", "source": "beta"},
    {"id": "a3", "title": "افتتاح معرض للكتاب",
     "body": "افتتح أمير المنطقة معرض الكتاب في جدة بمشاركة 400 دار نشر. "
             "وقالت مديرة المعرض سارة الغامدي إن الزوار تجاوزوا عشرة آلاف في اليوم الأول.",
     "date": "2015-08-02", "source": "alpha"},
    {"id": "a4", "title": "انسحاب لقوات حفظ السلام",
     "body": "أعلنت الأمم المتحدة انسحابا لقوات حفظ السلام من المنطقة الحدودية. "
             "وقال الجبير إن المملكة تتابع الوضع.",
     "date": "2015-08-10", "source": "beta"},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    c = khabar.Corpus(tmp_path_factory.mktemp("corpus") / "db")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = c.index(ARTICLES)
    assert (report.indexed, report.rejected, report.rejections) == (4, 0, [])
    return c


def test_index_report_and_reindex(corpus):
    assert len(corpus) == 4
    again = corpus.index(ARTICLES)
    assert (again.indexed, again.unchanged) == (0, 4)
    assert "0 articles indexed, 4 unchanged" in str(again)


def test_search_folds_clitics_and_filters(corpus):
    hits = corpus.search("القوات")
    # لقوات (a4) and القوات (a1, a2) all match the one query word.
    assert sorted(h["id"] for h in hits) == ["a1", "a2", "a4"] and hits.total == 3
    assert set(hits[0]) >= {"id", "score", "title", "source", "date", "snippet", "story"}
    assert [h["id"] for h in corpus.search("القوات", source="beta", limit=5)] in (
        ["a2", "a4"], ["a4", "a2"])
    assert [h["id"] for h in corpus.search("القوات", **{"from": "2015-08-01"})] == ["a4"]
    assert [h["id"] for h in corpus.search("القوات", from_="2015-08-01")] == ["a4"]
    assert sorted(h["id"] for h in corpus.search("", to="2015-07-31", limit=10)) == ["a1", "a2"]
    assert corpus.search('"معرض الكتاب"')[0]["id"] == "a3"
    with pytest.raises(khabar.QueryError, match="date"):
        corpus.search("القوات", to="not-a-date")
    with pytest.raises(TypeError, match="unknown filter 'outlet'"):
        corpus.search("القوات", outlet="beta")


def test_stored_analysis(corpus):
    a3 = corpus.article("a3")
    assert a3["schema"] == khabar.SCHEMA and a3["id"] == "a3"
    assert any(q["speaker"]["text"] == "سارة الغامدي" for q in a3["quotes"])
    assert corpus.article("missing") is None


def test_entities_and_who_said_what(corpus):
    people = corpus.entities("PER")
    assert "عادل الجبير" in {e["name"] for e in people}
    profile = corpus.entity("عادل الجبير")
    assert profile["name"] == "عادل الجبير" and profile["said_total"] >= 3
    said = corpus.said("الجبير")
    assert said.speaker["name"] == "عادل الجبير" and said.total == len(said) >= 3
    assert all(set(q) >= {"article", "content", "cue", "speaker"} for q in said)
    about = corpus.said("عادل الجبير", about="المساعدات")
    assert about.total >= 1 and all("المساعدات" in q["content"] for q in about)
    assert corpus.said("الجبير", to="2015-07-24").total == 0
    assert corpus.said("الجبير", **{"from": "2015-07-25"}).total == said.total
    assert corpus.resolve("الجبير")[0]["name"] == "عادل الجبير"
    with pytest.raises(khabar.QueryError):
        corpus.entity("اسم لا يعرفه أحد")
    with pytest.raises(khabar.QueryError):
        corpus.entities("PLANET")


def test_copies_stories_and_stats(corpus):
    groups = corpus.duplicates()
    assert [sorted(m["id"] for m in g["articles"]) for g in groups] == [["a1", "a2"]]
    stories = corpus.stories()
    assert len(stories) == 1 and stories[0]["size"] == 2
    story = corpus.story(stories[0]["id"])
    assert [a["id"] for a in story["articles"]] == ["a1", "a2"]
    assert corpus.story(12345) is None
    assert corpus.stories(**{"from": "2015-08-01"}) == []
    hit = corpus.search("الهدنة")[0]
    assert hit["story"] == stories[0]["id"]
    stats = corpus.stats()
    assert stats["articles"] == 4 and {s["name"] for s in stats["sources"]} == {"alpha", "beta"}


def test_bad_records_are_reported_and_skipped(tmp_path):
    c = khabar.Corpus(tmp_path / "db")
    records = [ARTICLES[2], {"id": "b1", "title": "بلا نص"}, "نص وحده", ARTICLES[3]]
    with pytest.warns(khabar.RecordWarning) as caught:
        report = c.index(records)
    assert report.indexed == 2 and report.rejected == 2
    assert report.rejections == [
        {"where": "<records>:2", "reason": "missing body (expected `body`, `content` or `text`)"},
        {"where": "<records>:3", "reason": "expected a dict (an article record), found str"},
    ]
    assert [str(w.message) for w in caught][0].startswith("<records>:2: missing body")
    with pytest.raises(TypeError, match="index_files"):
        c.index("news.jsonl")


def test_files_are_indexed_like_the_cli(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [json.dumps(a, ensure_ascii=False) for a in ARTICLES[2:]]
    path.write_text(lines[0] + "\n{\"id\": broken\n" + lines[1] + "\n", encoding="utf-8")
    c = khabar.Corpus(tmp_path / "db")
    with pytest.warns(khabar.RecordWarning, match=r"news.jsonl:2: invalid JSON"):
        report = c.index_files(path)
    assert (report.indexed, report.rejected) == (2, 1)
    assert report.rejections[0]["where"] == f"{path}:2"


def test_opening_nothing_is_a_clear_error(tmp_path):
    with pytest.raises(khabar.CorpusError, match="no corpus here"):
        khabar.Corpus(tmp_path / "nothing", create=False)


def test_pandas(corpus, tmp_path):
    pd = pytest.importorskip("pandas")
    frame = corpus.search("القوات").to_pandas()
    assert list(frame.columns[:3]) == ["id", "score", "title"] and len(frame) == 3
    said = corpus.said("الجبير").to_pandas()
    assert {"content", "speaker", "article"} <= set(said.columns)
    # A DataFrame goes in as records; missing values are absent fields.
    df = pd.DataFrame(ARTICLES[2:]).assign(url=[None, "https://example.org/a4"])
    c = khabar.Corpus(tmp_path / "db")
    assert c.index(df).indexed == 2
    assert c.article("a4")["url"] == "https://example.org/a4" and "url" not in c.article("a3")


def test_any_query_is_answered_or_refused_clearly(corpus):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(['"', "«", "»", "القوات", "*", "(", ")", "AND", "-", ":", " ", "~"])
    queries = st.one_of(st.text(max_size=40), st.lists(pieces, max_size=12).map("".join))

    @settings(max_examples=150, deadline=None)
    @given(queries, st.one_of(st.none(), st.text(max_size=12)))
    def run(query, date):
        try:
            hits = corpus.search(query, to=date, limit=3)
        except khabar.QueryError:
            assert date is not None  # only a bad date is refused
        else:
            assert hits.total >= len(hits)

    run()


def test_the_interpreter_runs_while_khabar_works(nlp):
    import sys
    import threading
    import time

    from conftest import SHARED

    texts = [(SHARED / "examples" / "seed-article.txt").read_text(encoding="utf-8")] * 40
    started, done = threading.Event(), threading.Event()

    def work():
        started.set()
        for _ in nlp.pipe(texts, batch_size=40, n_threads=1):
            pass
        done.set()

    # No forced switches between threads for 5 s: the main thread can run only when the
    # worker lets go of the interpreter — which it does only inside khabar's Rust code.
    old = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        started.wait()
        ticks = 0
        while not done.is_set():
            ticks += 1
            time.sleep(0)  # lets the worker take the interpreter back at once
        worker.join()
    finally:
        sys.setswitchinterval(old)
    assert ticks > 100
