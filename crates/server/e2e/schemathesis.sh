#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document: schemathesis generates requests for every
# operation (valid and invalid parameters and bodies) and fails on any 5xx answer, on a
# response that does not match the document, or on a crash of the server.
# Usage: schemathesis.sh KHABAR_BINARY  (schemathesis on the PATH)
set -euo pipefail
KHABAR="$1"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$KHABAR" index --db "$WORK/db" "$HERE/articles.jsonl" > /dev/null
"$KHABAR" serve --db "$WORK/db" --addr 127.0.0.1:0 --api-key schemathesis-key 2> "$WORK/serve.log" &
PID=$!
for _ in $(seq 100); do
    ADDR="$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.log" | head -1 || true)"
    [ -n "$ADDR" ] && break
    sleep 0.1
done
[ -n "$ADDR" ] || { cat "$WORK/serve.log"; exit 1; }
schemathesis run "$ADDR/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance \
    --max-examples 40 --seed 1 \
    --header "Authorization: Bearer schemathesis-key"
kill -0 "$PID"  # the server is still up
