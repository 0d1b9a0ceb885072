#!/usr/bin/env python3
"""Turns round-2 annotations (content as an exact substring, BRIEF.md) into gold lines.

    python3 crates/extract/eval/round2/to_gold.py DRAWN.jsonl ANNOTATIONS.jsonl... >> crates/extract/eval/quotes-gold.jsonl

The annotation round recorded is 2, or the ROUND environment variable (round 3: ROUND=3).

DRAWN is draw.py's output (split, file, id, title, body); the text is title + "\\n" + body as
khabar builds it. Each gold quote gets char offsets, start/end snippets (to find the span again
if offsets drift), speaker, role, cue, kind and speaker_mention.
"""
import json, os, sys

drawn = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    drawn[r["id"]] = r
rows = {}
for path in sys.argv[2:]:
    for ln, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        a = json.loads(line)
        r = drawn[a["id"]]
        text = r["title"].strip() + ("\n" + r["body"].strip() if r["body"].strip() else "")
        quotes = []
        for q in a["quotes"]:
            c = q["content"]
            at, occ = -1, q.get("occurrence", 0)
            for _ in range(occ + 1):
                at = text.find(c, at + 1)
            if at < 0:
                sys.exit(f"{path}:{ln}: {a['id']}: content not found: {c[:40]}")
            quotes.append({
                "start": at, "end": at + len(c),
                "start_snippet": c[:40], "end_snippet": c[-40:],
                "speaker": q["speaker"], "role": q.get("role"), "cue": q.get("cue"),
                "speaker_mention": q.get("speaker_mention"), "kind": q["kind"],
            })
        quotes.sort(key=lambda q: q["start"])
        rows[a["id"]] = {"split": r["split"], "round": int(os.environ.get("ROUND", "2")), "file": r["file"], "id": a["id"],
                         "source": r["source"], "quotes": quotes}
missing = [i for i in drawn if i not in rows]
if missing:
    sys.exit(f"not annotated: {missing}")
for r in drawn.values():
    print(json.dumps(rows[r["id"]], ensure_ascii=False))
