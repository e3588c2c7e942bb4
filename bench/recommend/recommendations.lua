math.randomseed(42)
request = function()
  return wrk.format("GET", "/v1/recommendations/C" .. math.random(1, 2000) .. "?k=10&candidates=200")
end
