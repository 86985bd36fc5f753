-- wrk script: POST /api/v1/complaints/ with a token, a new phone number each time.
-- Used by `bench/bench.py intake --client wrk`; TOKEN and BODIES come from the environment.
-- BODIES is a file of request bodies, one JSON line each, in the order a branch's day brought
-- them (bench.py writes it from demo.paraphrase: groups of near-duplicates among unrelated
-- complaints, issue 19); "{PHONE}" in a line is replaced by a new number. The two threads
-- take the day from two points, so no body is sent twice in a run shorter than the day.
local token = os.getenv("TOKEN")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  created, failed = 0, 0
  math.randomseed(os.time() + id)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    table.insert(bodies, line)
  end
end

request = function()
  local at = (id * math.floor(#bodies / 2) + counter) % #bodies + 1
  counter = counter + 1
  local phone = string.format("139%08d", math.random(0, 99999999))
  local body = bodies[at]:gsub("{PHONE}", phone)
  return wrk.format("POST", "/api/v1/complaints/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["X-Forwarded-Proto"] = "https",
  }, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end

done = function(summary, latency, requests)
  local c, f = 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    f = f + thread:get("failed")
  end
  io.write(string.format("RESULT created=%d failed=%d seconds=%.3f p50_ms=%.1f p95_ms=%.1f\n",
    c, f, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
