-- Scenario 3, hot existing ids: uniform over a small set of existing ids (cache hits once warm).
-- args: <file with the hot ids, one per line>
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local reqs

function init(args)
  C.seed()
  reqs = {}
  for i, id in ipairs(C.load_ids(assert(args[1], "hot id file argument required"))) do
    reqs[i] = C.get("/products/" .. id)
  end
end

function request()
  return reqs[math.random(1, #reqs)]
end
