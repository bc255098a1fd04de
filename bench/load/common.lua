-- Shared helpers for the EdgeGuard wrk scenarios (bench/load/run.sh loads this through dofile).
-- Each scenario script defines request(); this file gives thread numbering, id files, unique missing
-- ids, optional status/source counting and a one-line JSON summary ("WRKJSON {...}") from done().

local M = {}

local threads = {}
local next_tid = 0

-- Runs in wrk's main Lua state once per thread, before the threads start.
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function M.load_ids(path)
  local ids = {}
  local f = assert(io.open(path, "r"), "cannot open id file " .. tostring(path))
  for line in f:lines() do
    if line ~= "" then ids[#ids + 1] = line end
  end
  f:close()
  assert(#ids > 0, "id file is empty: " .. path)
  return ids
end

function M.seed()
  -- tid is set by setup() in each thread's state; the main state has none.
  local t = tid or 0
  math.randomseed(os.time() * 1000 + t * 7919 + math.floor((os.clock() * 1e6) % 1e6))
end

-- A fresh missing id: prefix (an id shape the generator never produces) + run nonce + thread + counter
-- + a random part. Unique within a run by the counter, across runs by the nonce.
local miss_counter = 0
function M.unique_missing(prefix, nonce)
  miss_counter = miss_counter + 1
  return string.format("%s%s%x%x%06x", prefix, nonce, tid or 0, miss_counter, math.random(0, 0xffffff)) ..
    "-" .. tostring(miss_counter)
end

-- The client's address as a known proxy would report it (X-Forwarded-For): wrk cannot pick its source address,
-- so the attacker and the legitimate client are told apart the way a gateway behind a load balancer tells them
-- apart (run.sh makes 127.0.0.1 a known proxy for the targets that limit per client). Call before M.get.
function M.client(forwarded_for)
  if forwarded_for ~= nil and forwarded_for ~= "" then
    wrk.headers["X-Forwarded-For"] = forwarded_for
  end
end

-- The next line of a file walked by n threads interleaved (thread t takes lines t+1, t+1+n, ...), starting over
-- at the end (counted in "wrapped").
local walk_line = 0
function M.next_line(file, step)
  for _ = 1, 2 do
    while true do
      local line = file:read("*l")
      if line == nil then break end
      walk_line = walk_line + 1
      if (walk_line - 1) % step == (tid or 0) and line ~= "" then return line end
    end
    file:seek("set", 0)
    walk_line = 0
    wrapped = wrapped + 1
  end
  error("no lines for thread " .. tostring(tid))
end

-- GET request text for a path. wrk.format() walks the header table on every call; the text around the
-- path is the same for every request, so it is built once (per Lua state) and the path spliced in.
local req_head, req_tail
function M.get(path)
  if req_head == nil then
    local marker = "/__edgeguard_path__"
    local sample = wrk.format("GET", marker)
    local at = assert(sample:find(marker, 1, true), "unexpected wrk.format output")
    req_head = sample:sub(1, at - 1)
    req_tail = sample:sub(at + #marker)
  end
  return req_head .. path .. req_tail
end

-- Optional per-response counting (WRK_COUNT_STATUS=1): 404s, 2xx and the X-EdgeGuard-Source header.
-- wrk only pays for header parsing in Lua when a global response() exists, so it is defined only then.
n2xx, n404, nother = 0, 0, 0
src_bloom, src_cache, src_neg, src_upstream, src_budget, src_stale, src_none = 0, 0, 0, 0, 0, 0, 0
M.counting = os.getenv("WRK_COUNT_STATUS") == "1"
if M.counting then
  function response(status, headers, body)
    if status >= 200 and status < 300 then
      n2xx = n2xx + 1
    elseif status == 404 then
      n404 = n404 + 1
    else
      nother = nother + 1
    end
    local s = headers["X-EdgeGuard-Source"] or headers["x-edgeguard-source"]
    if s == "bloom" then src_bloom = src_bloom + 1
    elseif s == "cache" then src_cache = src_cache + 1
    elseif s == "negative-cache" then src_neg = src_neg + 1
    elseif s == "upstream" then src_upstream = src_upstream + 1
    elseif s == "budget" then src_budget = src_budget + 1
    elseif s == "stale" then src_stale = src_stale + 1
    else src_none = src_none + 1 end
  end
end

wrapped = 0

function done(summary, latency, requests)
  local function sum(name)
    local total = 0
    for _, t in ipairs(threads) do total = total + (tonumber(t:get(name)) or 0) end
    return total
  end
  local e = summary.errors
  local parts = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_us":%d', summary.duration),
    string.format('"bytes":%d', summary.bytes),
    string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
      e.connect, e.read, e.write, e.status, e.timeout),
    string.format('"latency_us":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}',
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max),
    string.format('"wrapped":%d', sum("wrapped")),
  }
  if M.counting then
    parts[#parts + 1] = string.format('"status":{"2xx":%d,"404":%d,"other":%d}', sum("n2xx"), sum("n404"), sum("nother"))
    parts[#parts + 1] = string.format('"sources":{"bloom":%d,"cache":%d,"negative-cache":%d,"upstream":%d,"budget":%d,"stale":%d,"none":%d}',
      sum("src_bloom"), sum("src_cache"), sum("src_neg"), sum("src_upstream"), sum("src_budget"), sum("src_stale"), sum("src_none"))
  end
  io.write("WRKJSON {" .. table.concat(parts, ",") .. "}\n")
end

return M
