-- Scenario 4, mixed: 70% existing ids with Zipf-like popularity (weight 1/rank^s over the given ids),
-- 30% unique random missing ids.
-- args: <file with the popular ids, most popular first> <missing-id prefix> <run nonce> [existing share=0.7] [s=1.0]
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local ids, cdf, prefix, nonce, share

function init(args)
  C.seed()
  ids = C.load_ids(assert(args[1], "popular id file argument required"))
  prefix = assert(args[2], "missing-id prefix argument required")
  nonce = args[3] or "0"
  share = tonumber(args[4] or "0.7")
  local s = tonumber(args[5] or "1.0")
  cdf = {}
  local total = 0
  for rank = 1, #ids do
    total = total + 1 / (rank ^ s)
    cdf[rank] = total
  end
  for rank = 1, #ids do cdf[rank] = cdf[rank] / total end
end

local function zipf_index()
  local u = math.random()
  local lo, hi = 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

function request()
  if math.random() < share then
    return C.get("/products/" .. ids[zipf_index()])
  end
  return C.get("/products/" .. C.unique_missing(prefix, nonce))
end
