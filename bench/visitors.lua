-- Registers fresh visitors: tokens "bench-<thread>-<n>" (rooms.lua walks the same list).
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local body = string.format('{"visitor":{"token":"bench-%d-%d"}}', tid, counter)
  return wrk.format("POST", "/api/v1/livechat/visitor", {["Content-Type"] = "application/json"}, body)
end
