-- Visitors write in the rooms listed in $ROOMS_FILE ("token rid" lines), round robin.
local rooms = {}
for line in io.lines(os.getenv("ROOMS_FILE")) do
  local token, rid = line:match("(%S+) (%S+)")
  table.insert(rooms, {token, rid})
end
local i = 0
function request()
  i = i + 1
  local r = rooms[(i % #rooms) + 1]
  local body = string.format('{"token":"%s","rid":"%s","msg":"hello number %d, see https://rocket.chat *now*"}', r[1], r[2], i)
  return wrk.format("POST", "/api/v1/livechat/message", {["Content-Type"] = "application/json"}, body)
end
