-- The legitimate client measured alongside an attack (scenarios precomputed_fp and sweep): uniform over the hot
-- ids (cache hits once warm), from an address of its own, so its latency shows what the attack costs others.
-- args: <file with the hot ids> [X-Forwarded-For: the client's address]
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local reqs

function init(args)
  C.seed()
  C.client(args[2])
  reqs = {}
  for i, id in ipairs(C.load_ids(assert(args[1], "hot id file argument required"))) do
    reqs[i] = C.get("/products/" .. id)
  end
end

function request()
  return reqs[math.random(1, #reqs)]
end
