-- SageMaker BatchGetRecord over HTTP: POST /BatchGetRecord with IDS (default
-- 100) random customer ids out of KEYS (default 100000) per request, one
-- feature group (GROUP, default customers).
-- The requests are drawn when wrk starts (POOL per wrk thread, default 4096,
-- each a new random id set) and sent in turn: wrk shares the cores with the
-- server, and building 100 ids in Lua per request was the client's largest
-- cost. 4096 x 100 draws touch nearly every one of 100,000 keys.
local keys = tonumber(os.getenv("KEYS") or "100000")
local ids_per_call = tonumber(os.getenv("IDS") or "100")
local group = os.getenv("GROUP") or "customers"
local pool_size = tonumber(os.getenv("POOL") or "4096")
local pool = {}
local sent = 0

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  for p = 1, pool_size do
    local ids = {}
    for i = 1, ids_per_call do ids[i] = '"C' .. math.random(1, keys) .. '"' end
    local body = '{"Identifiers":[{"FeatureGroupName":"' .. group ..
                 '","RecordIdentifiersValueAsString":[' .. table.concat(ids, ",") .. ']}]}'
    pool[p] = wrk.format("POST", "/BatchGetRecord", {["Content-Type"] = "application/json"}, body)
  end
end

request = function()
  sent = sent % pool_size + 1
  return pool[sent]
end
