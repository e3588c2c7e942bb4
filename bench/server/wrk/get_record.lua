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

-- No response() callback: wrk counts non-2xx answers itself ("Non-2xx or
-- 3xx responses"), and a callback makes it hand every response to Lua.
