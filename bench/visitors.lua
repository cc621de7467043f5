-- Registers fresh visitors: tokens "<TOKEN_PREFIX or bench>-<thread>-<n>" (rooms.lua walks the same list).
local prefix = os.getenv("TOKEN_PREFIX") or "bench"
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local body = string.format('{"visitor":{"token":"%s-%d-%d"}}', prefix, tid, counter)
  return wrk.format("POST", "/api/v1/livechat/visitor", {["Content-Type"] = "application/json"}, body)
end
