#!/usr/bin/env python3
"""Draws the articles of the second annotation round (issue 24) and splits them by article.

Run once, before any rule is written on them:
    python3 crates/extract/eval/round2/draw.py ../shared > /tmp/round2.jsonl
Each output line: {"split": "dev"|"blind", "file", "id", "source", "title", "body"}.
The split is decided here, from a fixed seed, before anyone reads the articles.

Round 3 (training data for the speaker ranker, all dev, fewer articles per outlet):
    python3 crates/extract/eval/round2/draw.py ../shared 2025 dev 5 3 > /tmp/round3.jsonl
Articles already in the gold file or in ../shared/data/quotes are never drawn again.
"""
import gzip, json, random, sys

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2024
only = sys.argv[3] if len(sys.argv) > 3 else None
per_snn = int(sys.argv[4]) if len(sys.argv) > 4 else 7
per_ant = int(sys.argv[5]) if len(sys.argv) > 5 else 5
CUES = ["قال", "أكد", "أضاف", "أوضح", "بحسب", "وفق", "أشار", "صرح", "كشف", "دعا", "طالب", "شدد", "حذر", "نفى"]
taken = set()
for line in open("crates/extract/eval/quotes-gold.jsonl", encoding="utf-8"):
    if line.strip():
        taken.add(json.loads(line)["id"])
for line in open(f"{shared}/data/quotes/annotations.jsonl", encoding="utf-8"):
    if line.strip():
        taken.add(json.loads(line)["id"])

def pool(file):
    by_source = {}
    for line in gzip.open(f"{shared}/data/news/{file}", "rt", encoding="utf-8"):
        r = json.loads(line)
        body = (r.get("body") or "").strip()
        if r["id"] in taken or not 400 <= len(body) <= 2000:
            continue
        key = r.get("source") or ""
        if file.startswith("ant"):
            key = r.get("category") or ""
        by_source.setdefault(key, []).append(r)
    return by_source

rng = random.Random(seed)
out = []
for file, per_group in [("saudinewsnet-2015.jsonl.gz", per_snn), ("ant-v1.1.jsonl.gz", per_ant)]:
    groups = pool(file)
    for key in sorted(groups):
        rows = groups[key]
        with_cue = [r for r in rows if any(c in r["body"] for c in CUES)]
        without = [r for r in rows if r not in with_cue] if len(rows) < 5000 else []
        picked = []
        for i in range(per_group):
            src = without if (i == per_group - 1 and without) else with_cue
            if not src:
                src = rows
            r = rng.choice(src)
            while r in picked:
                r = rng.choice(src)
            picked.append(r)
        for r in picked:
            out.append({"file": file, "id": r["id"], "source": r.get("source") or "",
                        "title": (r.get("title") or "").strip(), "body": r["body"].strip()})
rng.shuffle(out)
for i, r in enumerate(out):
    r["split"] = only or ("blind" if i % 2 == 0 else "dev")
    print(json.dumps({"split": r["split"], **{k: v for k, v in r.items() if k != "split"}}, ensure_ascii=False))
