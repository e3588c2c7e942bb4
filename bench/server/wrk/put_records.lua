-- Kinesis PutRecords with a fixed body (a file prepared by run.sh: 500
-- base64-encoded click events), path in PUTRECORDS_BODY.
local path = os.getenv("PUTRECORDS_BODY")
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.path = "/"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "Kinesis_20131202.PutRecords"
if os.getenv("TOKEN") then wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end

done = function(summary, latency, requests)
  io.write(string.format("events/s: %.0f (requests/s %.1f x 500 records)\n",
                         summary.requests / (summary.duration / 1e6) * 500,
                         summary.requests / (summary.duration / 1e6)))
end
