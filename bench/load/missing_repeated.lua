-- Scenario 2, one missing id repeated (negative caching where the target has it; a Bloom reject at
-- EdgeGuard unless the id happens to be a false positive).
-- args: <missing id>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local req

function init(args)
  req = C.get("/products/" .. assert(args[1], "missing id argument required"))
end

function request()
  return req
end
