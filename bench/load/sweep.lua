-- Scenario 8, sweep: one client walks real ids in order, every request a cold miss (the issue's 14,059 catalog
-- queries in 5 s). The harness hands each (target, round) a slice of ids no target has been asked for; thread t of
-- n takes lines t+1, t+1+n, ... so together they walk the slice in order. A slice that runs out starts over (those
-- requests may be cache hits) and the summary's "wrapped" count says so.
-- args: <file with this run's ids> <thread count> [X-Forwarded-For: the sweeper's address]
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local path, file, step

function init(args)
  path = assert(args[1], "id slice file argument required")
  step = tonumber(args[2] or "1")
  C.client(args[3])
  file = assert(io.open(path, "r"), "cannot open id file " .. path)
end

function request()
  return C.get("/products/" .. C.next_line(file, step))
end
