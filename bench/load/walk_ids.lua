-- Scenarios 7 and 8: one client replays a list of ids, each once, in the list's order.
--   7, precomputed false positives: absent ids an attacker computed offline to pass an UNKEYED Bloom filter of the
--      catalog's (public) ids, sized as the gateway sizes its own (IdGenerator false-positives). Against an unkeyed
--      filter every one would reach the catalog; a keyed filter lets about its normal rate through.
--   8, sweep: real ids walked in order, every request a cold miss (the issue's 14,059 catalog queries in 5 s); the
--      harness hands each (target, round) a slice of ids no target has been asked for.
-- Thread t of n takes lines t+1, t+1+n, ..., so together they walk the list in order. A list that runs out starts
-- over (those requests are then answered from a cache) and the summary's "wrapped" count says so.
-- args: <file of ids> <thread count> [X-Forwarded-For: the client's address]
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local path, file, step

function init(args)
  path = assert(args[1], "id file argument required")
  step = tonumber(args[2] or "1")
  C.client(args[3])
  file = assert(io.open(path, "r"), "cannot open id file " .. path)
end

function request()
  return C.get("/products/" .. C.next_line(file, step))
end
