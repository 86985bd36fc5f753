-- wrk script: POST /api/v1/complaints/ with a token, a new phone number each time.
-- Used by `bench/bench.py intake --client wrk`; TOKEN comes from the environment.
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
end

request = function()
  local phone = string.format("139%08d", math.random(0, 99999999))
  local body = '{"channel": "phone", "category": "I-2", "reason": "积分兑换商品迟迟未发货", ' ..
    '"request": "尽快发货", "narrative": "压测：客户来电反映兑换商品未发货。", ' ..
    '"complainant": {"name": "压测客户", "phone": "' .. phone .. '", "gender": "U", ' ..
    '"customer_type": "existing", "vip": false, "sensitive_identity": "none"}}'
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
