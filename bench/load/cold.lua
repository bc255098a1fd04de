-- Scenario 5, cold existing ids: every request a different existing id (the miss path).
-- The harness hands each (target, round) a slice of ids that target has never been asked for. The file
-- is streamed, not loaded (wrk starts each thread as soon as its init() returns, so a slow init would
-- give the first thread a head start that wrk counts); thread t of n takes lines t+1, t+1+n, ...
-- If a slice runs out the walk starts over (those requests may be cache hits) and the summary's
-- "wrapped" count says so.
-- args: <file with this run's ids> <thread count>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local path, file, step, line_no

function init(args)
  path = assert(args[1], "id slice file argument required")
  step = tonumber(args[2] or "1")
  file = assert(io.open(path, "r"), "cannot open id file " .. path)
  line_no = 0
end

local function next_id()
  for _ = 1, 2 do
    while true do
      local id = file:read("*l")
      if id == nil then break end
      line_no = line_no + 1
      if (line_no - 1) % step == (tid or 0) and id ~= "" then return id end
    end
    file:seek("set", 0)
    line_no = 0
    wrapped = wrapped + 1
  end
  error("no ids for thread " .. tostring(tid) .. " in " .. path)
end

function request()
  return C.get("/products/" .. next_id())
end
