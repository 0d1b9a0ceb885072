"""nlp(text), nlp.analyze(...) and the Doc views."""

import json
import subprocess

import pytest

import khabar
from conftest import spans_of

TEXT = (
    "  قال وزير الخارجية المصري سامح شكري في القاهرة إن المحادثات ستستمر ثلاثة أيام "
    "بتكلفة 5 ملايين دولار. وأضاف أن الوفد سيعود إلى بيروت."
)


def test_text_is_kept_as_given_and_every_offset_indexes_it(nlp):
    doc = nlp(TEXT)
    assert doc.text == TEXT and str(doc) == TEXT
    assert doc.id == "" and doc.title == "" and doc.date is None
    spans = spans_of(doc)
    assert len(spans) > 20
    for label, start, end, text in spans:
        assert 0 <= start <= end <= len(TEXT), (label, start, end)
        assert TEXT[start:end] == text, (label, text)


def test_entities_quotes_quantities_keywords(nlp):
    doc = nlp(TEXT)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("سامح شكري", "PER") in ents and ("القاهرة", "LOC") in ents
    first = doc.quotes[0]
    assert first.kind == "indirect" and first.speaker == "سامح شكري"
    assert first.cue.text == "قال" and first.cue.label_ == "CUE"
    assert first.content.text.startswith("المحادثات ستستمر")
    assert first.speaker_ent.text == "سامح شكري" and first.speaker_ent.label_ == "PER"
    # The subject-less cue takes the previous speaker.
    assert doc.quotes[1].speaker == "سامح شكري" and doc.quotes[1].cue.text == "وأضاف"
    # Speakers resolved through coreference chains: the role beside the name.
    assert first.role == "وزير الخارجية المصري"
    chain = doc.chains[first.chain]
    assert chain["name"] == "سامح شكري" and chain["label"] == "PER"
    assert doc.quotes[1].chain == first.chain
    kinds = {m["kind"] for m in chain["mentions"]}
    assert {"name", "role", "pronoun"} <= kinds
    for m in chain["mentions"]:
        assert 0 <= m["start"] < m["end"] <= len(TEXT)
    money = [q for q in doc.quantities if q.kind == "money"]
    assert [(q.value, q.unit, q.approx) for q in money] == [(5_000_000, "USD", False)]
    days = [q for q in doc.quantities if q.kind == "duration"]
    assert days[0].value == 3 and days[0].unit == "day"
    scores = [k.score for k in doc.keywords]
    assert scores[0] == 1.0 and scores == sorted(scores, reverse=True)
    assert all(s in doc.sents for s in doc.summary)


def test_tokens_carry_norm_segments_and_stem(nlp):
    doc = nlp("افتتحت مَدْرَسَةٌ جديدة والتدريب مستمر.")
    school, training = doc[1], doc[3]
    assert school.text == "مَدْرَسَةٌ" and school.norm == "مدرسة" and school.norm_ == "مدرسة"
    assert training.segments == ["و", "ال", "تدريب"] and training.stem == "تدريب"
    assert doc[-1].kind == "punct" and doc[0].kind == "word"
    # Offsets count every char, diacritics included (مَدْرَسَةٌ is 10 chars).
    assert (training.i, training.idx, len(training)) == (3, 24, 8)
    assert doc.text[24:32] == "والتدريب"
    assert [t.text for t in doc] == [doc[i].text for i in range(len(doc))]
    with pytest.raises(IndexError):
        doc[len(doc)]
    with pytest.raises(TypeError):
        doc["x"]


def test_slices_and_char_spans(nlp):
    doc = nlp("وصل الوفد إلى بيروت صباح اليوم.")
    span = doc[1:4]
    assert span.text == "الوفد إلى بيروت" and (span.start, span.end) == (1, 4)
    assert [t.text for t in span.tokens] == ["الوفد", "إلى", "بيروت"] and len(span) == 3
    assert [t.i for t in span] == [1, 2, 3]
    assert span.sent.text == doc.text and span.doc.text == doc.text
    assert doc[2:2].text == ""
    with pytest.raises(ValueError):
        doc[0:4:2]
    # strict: only token boundaries; contract / expand move to them.
    assert doc.char_span(4, 9).text == "الوفد"
    assert doc.char_span(5, 9) is None
    assert doc.char_span(5, 9, alignment_mode="expand").text == "الوفد"
    assert doc.char_span(3, 14, alignment_mode="contract").text == "الوفد إلى"
    assert doc.char_span(4, 9, label="ORG").label_ == "ORG"
    assert doc.char_span(0, 10_000) is None and doc.char_span(5, 4) is None
    with pytest.raises(ValueError, match="alignment_mode"):
        doc.char_span(0, 3, alignment_mode="loose")
    # Spans compare by document, offsets and label.
    assert doc.char_span(4, 9) == doc[1:2] and doc.char_span(4, 9) != doc.char_span(4, 9, "X")
    assert len({doc.char_span(4, 9), doc[1:2]}) == 1


def test_an_article_is_headline_line_break_body(nlp):
    doc = nlp.analyze(
        "  وقالت الوزيرة إن الخطة جاهزة.  ", title=" خطة جديدة ", id="a7",
        date="2015-07-21", source="test", url="https://example.org/a7",
    )
    assert doc.text == "خطة جديدة\nوقالت الوزيرة إن الخطة جاهزة."
    assert doc.sents[0].text == "خطة جديدة"
    assert (doc.id, doc.title, doc.date, doc.source, doc.url) == (
        "a7", "خطة جديدة", "2015-07-21", "test", "https://example.org/a7")


def test_the_json_contract_is_the_clis(nlp, cli, tmp_path):
    article = {"id": "c1", "title": "زيارة رسمية", "body": TEXT, "date": "2015-07-21",
               "source": "test"}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    out = subprocess.run([cli, "analyze", "--tokens", str(path)], check=True,
                         capture_output=True, text=True).stdout
    from_cli = json.loads(out)
    doc = nlp.analyze(article["body"], title=article["title"], id="c1",
                      date="2015-07-21", source="test")
    assert doc.to_dict(tokens=True) == from_cli
    assert json.loads(doc.to_json(tokens=True)) == from_cli
    plain = doc.to_dict()
    assert plain["schema"] == khabar.SCHEMA == "khabar.analysis/1" and "tokens" not in plain
    assert json.loads(doc.to_json(indent=2)) == plain and "\n  " in doc.to_json(indent=2)
    assert doc.quotes[0].to_dict() == plain["quotes"][0]
    assert doc.quantities[0].to_dict() == plain["quantities"][0]
    assert doc.ents[0].to_dict() == plain["entities"][0]


def test_layers_can_be_switched_off():
    bare = khabar.load(entities=False, quotes=False, quantities=False, keywords=False)
    assert bare.pipe_names == ["tokens", "sentences"]
    doc = bare(TEXT)
    assert not (doc.ents or doc.quotes or doc.quantities or doc.keywords or doc.summary)
    assert len(doc) > 20
    fast = khabar.load(fast_entities=True)
    assert "سامح شكري" in {e.text for e in fast(TEXT).ents}


def test_empty_and_odd_texts(nlp):
    for text in ["", " ", "\n\n", "؟!...", "١٢٣", "a" * 10_000, "\u200f\u202b"]:
        doc = nlp(text)
        assert doc.text == text
        for label, start, end, covered in spans_of(doc):
            assert text[start:end] == covered
    assert len(nlp("")) == 0 and nlp("").sents == []
    with pytest.raises(TypeError):
        nlp(None)


def test_the_tour_example_runs_on_the_repo_article():
    from conftest import REPO
    import sys

    out = subprocess.run(
        [sys.executable, str(REPO / "crates/python/examples/tour.py"),
         str(REPO / "examples/article.txt")],
        check=True, capture_output=True, text=True,
    ).stdout
    assert out.startswith("وزير الطاقة الأردني")
    assert "سامر الخطيب (وقال, direct): لن نحمّل المواطن" in out
    assert "PER  سامر الخطيب  [90..101]" in out and "\nSummary:\n  " in out
