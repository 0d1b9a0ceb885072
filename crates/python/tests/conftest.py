"""Shared fixtures: one loaded pipeline, paths of the repository and ../shared."""

import os
import pathlib
import shutil

import pytest

import khabar

REPO = pathlib.Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    return khabar.load()


@pytest.fixture(scope="session")
def cli():
    """The khabar CLI built by `cargo test` / `cargo build` beside this package, if any."""
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    built = [target / p / "khabar" for p in ("release", "debug")]
    built = [exe for exe in built if exe.is_file()]
    if built:
        # The newest build: a stale binary would test an older contract.
        return str(max(built, key=lambda exe: exe.stat().st_mtime))
    found = shutil.which("khabar")
    if found:
        return found
    pytest.skip("no khabar CLI built (run `cargo build` first)")


def spans_of(doc):
    """Every span-like layer of a doc, as (label, start, end, text)."""
    out = [("sent", s.start_char, s.end_char, s.text) for s in doc.sents]
    out += [("tok", t.start_char, t.end_char, t.text) for t in doc]
    out += [("ent", e.start_char, e.end_char, e.text) for e in doc.ents]
    out += [("qty", q.start_char, q.end_char, q.text) for q in doc.quantities]
    for q in doc.quotes:
        for part in (q.cue, q.content, q.speaker_span, q.speaker_ent):
            if part is not None:
                out.append((part.label_, part.start_char, part.end_char, part.text))
    out += [("summary", s.start_char, s.end_char, s.text) for s in doc.summary]
    return out
