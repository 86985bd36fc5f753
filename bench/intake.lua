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

-- Each complaint tells its own matter (as bench.py's Python client does): a thing, what went
-- wrong, an amount, a day and a branch, so the near-duplicate check (issue 19) meets texts like a
-- branch's day, not ten thousand copies of one.
local things = {"积分兑换的商品", "储蓄卡", "信用卡", "房贷", "理财产品", "手机银行", "ETC", "基金定投", "存单", "跨行转账",
  "车贷", "社保卡", "外汇汇款", "代扣水电费", "网银U盾", "保管箱", "大额存单", "收款码", "公积金贷款", "贵金属"}
local faults = {"迟迟未发货", "被无故冻结", "多扣了手续费", "到账延迟", "利率调整没有通知", "无法办理注销",
  "出现不明扣款", "审批迟迟没有结果", "被强制搭售其他产品", "密码被重置", "额度被突然降低", "利息算错少给了",
  "预约后到网点无人接待", "客服承诺回电却没回", "人脸识别总是失败", "挂失后仍然被扣钱"}
local branches = {"天河路", "体育西路", "珠江新城", "五羊新城", "东山口", "北京路", "江南西", "客村", "员村", "石牌桥"}

request = function()
  local phone = string.format("139%08d", math.random(0, 99999999))
  local narrative = string.format("压测：%d月%d日在%s支行办理的%s%s，涉及%d元，卡号尾号%04d。",
    math.random(1, 12), math.random(1, 28), branches[math.random(#branches)], things[math.random(#things)],
    faults[math.random(#faults)], math.random(50, 9999), math.random(0, 9999))
  local reason = things[math.random(#things)] .. faults[math.random(#faults)]
  local body = '{"channel": "phone", "category": "I-2", "reason": "' .. reason .. '", ' ..
    '"request": "尽快发货", "narrative": "' .. narrative .. '", ' ..
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
