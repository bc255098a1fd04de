-- Scenario 6, expiry stampede: one hot existing id, requested by every connection; the target's cache
-- entry for it is given a short TTL by the harness, so it expires every few seconds under load.
-- args: <hot id>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local req

function init(args)
  req = C.get("/products/" .. assert(args[1], "hot id argument required"))
end

function request()
  return req
end
