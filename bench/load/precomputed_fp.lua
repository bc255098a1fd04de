-- Scenario 7, precomputed false positives: an attacker replays absent ids it computed offline to pass an UNKEYED
-- Bloom filter of the catalog's (public) ids, sized as the gateway sizes its own (IdGenerator false-positives).
-- Against an unkeyed filter every one would reach the catalog; a keyed filter lets about its normal rate through.
-- Threads walk the list interleaved (thread t of n takes lines t+1, t+1+n, ...), each id once; a list that runs
-- out starts over (those ids are then negatively cached) and the summary's "wrapped" count says so.
-- args: <file of precomputed false positives> <thread count> [X-Forwarded-For: the attacker's address]
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local path, file, step

function init(args)
  path = assert(args[1], "false-positive list argument required")
  step = tonumber(args[2] or "1")
  C.client(args[3])
  file = assert(io.open(path, "r"), "cannot open id file " .. path)
end

function request()
  return C.get("/products/" .. C.next_line(file, step))
end
