-- Load from wrk: POST /jobs/sparkpi with JOB_BODY, or METHOD and REQUEST_PATH when given (GET
-- /healthz). Each wrk thread sends to one service in turn: thread i to service i mod N, where
-- SERVICES is "host:port,host:port,...". DELAY_MS > 0 makes each connection wait that
-- long before each request (an open loop at connections * 1000 / DELAY_MS requests per second);
-- unset or 0 is a closed loop. Counts the answers by status and prints one RESULT line that the
-- benches read.
local services = {}
for hostport in string.gmatch(os.getenv("SERVICES") or "", "[^,]+") do
  table.insert(services, hostport)
end
local assigned = 0
local threads = {}

function setup(thread)
  local host, port = services[(assigned % #services) + 1]:match("([^:]+):(%d+)")
  assigned = assigned + 1
  thread.addr = wrk.lookup(host, port)[1]
  table.insert(threads, thread)
end

wrk.method = os.getenv("METHOD") or "POST"
wrk.path = os.getenv("REQUEST_PATH") or "/jobs/sparkpi"
if wrk.method == "POST" then
  wrk.body = os.getenv("JOB_BODY") or '{"samples": 100000, "partitions": 1}'
  wrk.headers["Content-Type"] = "application/json"
end

local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

accepted = 0
refused = 0
other = 0

function response(status, headers, body)
  if status >= 200 and status < 300 then
    accepted = accepted + 1
  elseif status == 429 then
    refused = refused + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
    o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f accepted=%d refused=%d other=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, a, r, o, e.connect + e.read + e.write + e.timeout))
end
