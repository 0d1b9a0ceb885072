-- wrk script: POST /v1/analyze with the article in ANALYZE_BODY (a JSON file).
local f = assert(io.open(os.getenv("ANALYZE_BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
