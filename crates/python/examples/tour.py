"""Analyze an article file with khabar and print what it found.

    python crates/python/examples/tour.py examples/article.txt

The file is headline-first text (the headline on the first line, then the body), as
`khabar analyze` reads it.
"""

import sys

import khabar


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        headline, _, body = f.read().partition("\n")
    nlp = khabar.load()
    doc = nlp.analyze(body, title=headline, id=path)
    print(f"{doc.title}\n{len(doc.sents)} sentences, {len(doc)} tokens\n")
    print("Entities:")
    for ent in doc.ents:
        print(f"  {ent.label_:<4} {ent.text}  [{ent.start_char}..{ent.end_char}]")
    print("Quotations:")
    for q in doc.quotes:
        print(f"  {q.speaker} ({q.cue.text}, {q.kind}): {q.content.text[:70]}")
    print("Quantities:")
    for q in doc.quantities:
        unit = f" {q.unit}" if q.unit else ""
        print(f"  {q.kind:<8} {q.text} → {q.value}{unit}")
    print("Keywords:", "، ".join(k.text for k in doc.keywords[:8]))
    print("Summary:")
    for sent in doc.summary:
        print(f"  {sent.text}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tour.py ARTICLE.txt")
    main(sys.argv[1])
