"""nlp.pipe against the CLI on the same SaudiNewsNet articles, in one run.

    python crates/python/bench/pipe_vs_cli.py --cli target/release/khabar [--articles 2000]

Both run the full default pipeline on all cores. The CLI is timed as a user runs it
(`khabar analyze FILE.jsonl`, NDJSON to /dev/null, process start and model load included);
`nlp.pipe` is timed from `import khabar` to the last doc, once keeping the docs only and
once also writing each doc's JSON (the CLI's output work). Runs alternate, ROUNDS times;
medians are reported, with the import-and-load time of a fresh interpreter.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NEWS = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "news",
                    "saudinewsnet-2015.jsonl.gz")


def first_articles(path, n):
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def time_cli(cli, path):
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        subprocess.run([cli, "analyze", path], stdout=null, check=True)
    return time.perf_counter() - t


def time_pipe(records, with_json):
    # A fresh interpreter, as a user's script: import, load, pipe.
    code = f"""
import json, sys, time
records = json.load(open({records!r}, encoding="utf-8"))
t = time.perf_counter()
import khabar
nlp = khabar.load()
n = 0
for doc in nlp.pipe(records, batch_size=256):
    if {with_json}:
        doc.to_json()
    n += 1
print(time.perf_counter() - t, n)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), int(out[1])


def import_and_load():
    code = """
import time
t = time.perf_counter()
import khabar
khabar.load()
print(time.perf_counter() - t)
"""
    return float(subprocess.run([sys.executable, "-c", code], check=True,
                                capture_output=True, text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True, help="the release khabar binary")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--news", default=NEWS)
    args = ap.parse_args()
    records = first_articles(args.news, args.articles)
    n = len(records)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = os.path.join(tmp, "articles.jsonl")
        with open(jsonl, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        as_list = os.path.join(tmp, "articles.json")
        with open(as_list, "w", encoding="utf-8") as f:
            json.dump(records, f, ensure_ascii=False)
        cli, pipe, pipe_json = [], [], []
        for _ in range(args.rounds):
            cli.append(time_cli(args.cli, jsonl))
            secs, got = time_pipe(as_list, False)
            assert got == n, (got, n)
            pipe.append(secs)
            pipe_json.append(time_pipe(as_list, True)[0])
        loads = sorted(import_and_load() for _ in range(5))
    rate = lambda xs: n / statistics.median(xs)
    cli_rate = rate(cli)
    print(f"articles: {n} (SaudiNewsNet, first {n}); cores: {os.cpu_count()}; rounds: {args.rounds}")
    print(f"{'run':<34}{'articles/s':>12}{'vs CLI':>9}   seconds (each round)")
    for name, xs in [("khabar analyze (CLI, NDJSON out)", cli),
                     ("nlp.pipe (docs)", pipe),
                     ("nlp.pipe + doc.to_json()", pipe_json)]:
        print(f"{name:<34}{rate(xs):>12.1f}{rate(xs) / cli_rate:>8.0%}   "
              + " ".join(f"{x:.2f}" for x in xs))
    print(f"import khabar + khabar.load(): median {statistics.median(loads):.3f} s "
          f"(min {loads[0]:.3f}, max {loads[-1]:.3f}, 5 fresh interpreters)")


if __name__ == "__main__":
    main()
