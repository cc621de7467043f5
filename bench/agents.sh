# Sourced by the bench scripts: `bench_agents URL` logs in as admin/admin and makes agent1–3
# agents, online and available, so rooms are routed to them.
bench_agents() {
  local H=$1 LOGIN L a
  json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
  LOGIN=$(curl -sf -XPOST "$H/api/v1/login" -H 'content-type: application/json' -d '{"user":"admin","password":"admin"}')
  local AUTH=(-H "x-user-id: $(echo "$LOGIN" | json "['data']['userId']")" -H "x-auth-token: $(echo "$LOGIN" | json "['data']['authToken']")" -H 'content-type: application/json')
  for a in agent1 agent2 agent3; do
    curl -sf "${AUTH[@]}" -XPOST "$H/api/v1/users.create" -d "{\"username\":\"$a\",\"email\":\"$a@bench.local\",\"password\":\"p\",\"name\":\"$a\"}" >/dev/null
    curl -sf "${AUTH[@]}" -XPOST "$H/api/v1/livechat/users/agent" -d "{\"username\":\"$a\"}" >/dev/null
    L=$(curl -sf -XPOST "$H/api/v1/login" -H 'content-type: application/json' -d "{\"user\":\"$a\",\"password\":\"p\"}")
    local A=(-H "x-user-id: $(echo "$L" | json "['data']['userId']")" -H "x-auth-token: $(echo "$L" | json "['data']['authToken']")" -H 'content-type: application/json')
    curl -sf "${A[@]}" -XPOST "$H/api/v1/users.setStatus" -d '{"status":"online"}' >/dev/null
    curl -sf "${A[@]}" -XPOST "$H/api/v1/livechat/agent.status" -d '{"status":"available"}' >/dev/null
  done
}
