-- Creates rooms for the visitors registered by visitors.lua, in the same order.
local prefix = os.getenv("TOKEN_PREFIX") or "bench"
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  return wrk.format("GET", string.format("/api/v1/livechat/room?token=%s-%d-%d", prefix, tid, counter))
end
function done(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
end
