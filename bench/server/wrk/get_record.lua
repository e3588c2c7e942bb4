-- GetRecord over HTTP: GET /FeatureGroup/customers?RecordIdentifierValueAsString=C<n>
-- for n uniformly random in 1..KEYS (environment variable, default 100000).
local keys = tonumber(os.getenv("KEYS") or "100000")
local group = os.getenv("GROUP") or "customers"

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local id = math.random(1, keys)
  return wrk.format("GET", "/FeatureGroup/" .. group .. "?RecordIdentifierValueAsString=C" .. id)
end

local non_200 = 0
response = function(status, headers, body)
  if status ~= 200 then non_200 = non_200 + 1 end
end
