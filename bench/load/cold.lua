-- Scenario 5, cold existing ids: every request a different existing id (the miss path).
-- The harness hands each (target, round) a slice of ids that target has never been asked for; thread t
-- of n walks indices t, t+n, t+2n ... If a slice runs out the walk wraps (then those requests may be
-- cache hits) and the summary's "wrapped" count says so.
-- args: <file with this run's ids> <thread count>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local ids, step, pos

function init(args)
  ids = C.load_ids(assert(args[1], "id slice file argument required"))
  step = tonumber(args[2] or "1")
  pos = (tid or 0) + 1
end

function request()
  if pos > #ids then
    pos = ((pos - 1) % #ids) + 1
    wrapped = wrapped + 1
  end
  local id = ids[pos]
  pos = pos + step
  return C.get("/products/" .. id)
end
