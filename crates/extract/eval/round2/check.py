#!/usr/bin/env python3
"""Validates an annotation file against its batch: python3 check.py batchK.jsonl batchK.out.jsonl"""
import json, sys
batch = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1], encoding="utf-8")}
seen, errors, nq = set(), 0, 0
for ln, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    if not line.strip():
        continue
    a = json.loads(line)
    if a["id"] not in batch:
        print(f"line {ln}: unknown id {a['id']}"); errors += 1; continue
    seen.add(a["id"])
    text = batch[a["id"]]["text"]
    for q in a["quotes"]:
        nq += 1
        for k in ("content", "speaker", "cue", "kind"):
            if not q.get(k):
                print(f"{a['id']}: missing {k}: {q}"); errors += 1
        c = q.get("content") or ""
        occ = text.count(c)
        if occ == 0:
            print(f"{a['id']}: content not found: {c[:60]}"); errors += 1
        elif occ > 1 and "occurrence" not in q:
            print(f"{a['id']}: content occurs {occ} times, give \"occurrence\" (0-based): {c[:60]}"); errors += 1
        if q.get("kind") not in ("direct", "indirect"):
            print(f"{a['id']}: kind must be direct|indirect"); errors += 1
        m = q.get("speaker_mention")
        if m and m not in text:
            print(f"{a['id']}: speaker_mention not in text: {m}"); errors += 1
missing = set(batch) - seen
for m in sorted(missing):
    print(f"not annotated yet: {m}")
print(f"{len(seen)}/{len(batch)} articles, {nq} quotations, {errors} errors")
