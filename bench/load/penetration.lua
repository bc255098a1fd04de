-- Scenario 1, penetration attack: a unique random missing id per request.
-- args: <missing-id prefix> <run nonce>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local prefix, nonce

function init(args)
  prefix = assert(args[1], "missing-id prefix argument required")
  nonce = args[2] or "0"
  C.seed()
end

function request()
  return C.get("/products/" .. C.unique_missing(prefix, nonce))
end
