-- SageMaker BatchGetRecord over HTTP: POST /BatchGetRecord with IDS (default
-- 100) random customer ids out of KEYS (default 100000) per request, one
-- feature group (GROUP, default customers). A new random id set per request.
local keys = tonumber(os.getenv("KEYS") or "100000")
local ids_per_call = tonumber(os.getenv("IDS") or "100")
local group = os.getenv("GROUP") or "customers"

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local ids = {}
  for i = 1, ids_per_call do ids[i] = '"C' .. math.random(1, keys) .. '"' end
  local body = '{"Identifiers":[{"FeatureGroupName":"' .. group ..
               '","RecordIdentifiersValueAsString":[' .. table.concat(ids, ",") .. ']}]}'
  return wrk.format("POST", "/BatchGetRecord", {["Content-Type"] = "application/json"}, body)
end
