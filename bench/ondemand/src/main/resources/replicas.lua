-- POST /jobs/sparkpi from wrk, each wrk thread to one replica in turn: thread i sends to replica
-- i mod N, where REPLICAS is "host:port,host:port,...". Counts the answers by status and prints one
-- RESULT line that ReplicaBench reads.
local replicas = {}
for hostport in string.gmatch(os.getenv("REPLICAS") or "", "[^,]+") do
  table.insert(replicas, hostport)
end
local assigned = 0
local threads = {}

function setup(thread)
  local host, port = replicas[(assigned % #replicas) + 1]:match("([^:]+):(%d+)")
  assigned = assigned + 1
  thread.addr = wrk.lookup(host, port)[1]
  table.insert(threads, thread)
end

wrk.method = "POST"
wrk.path = "/jobs/sparkpi"
wrk.body = os.getenv("JOB_BODY") or '{"samples": 100000, "partitions": 1}'
wrk.headers["Content-Type"] = "application/json"

accepted = 0
refused = 0
other = 0

function response(status, headers, body)
  if status == 202 then
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
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f accepted=%d refused=%d other=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    a, r, o, e.connect + e.read + e.write + e.timeout))
end
