"""Creates N visitors with open rooms (and optionally fills one room with messages) on a
running server; prints one "token rid" line per room. Used by run.sh."""
import http.client
import json
import sys

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fill = int(sys.argv[4]) if len(sys.argv) > 4 else 0
conn = http.client.HTTPConnection(host, port)


def call(method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = json.loads(r.read())
    if r.status != 200:
        raise SystemExit(f"{method} {path}: {r.status} {data}")
    return data


rooms = []
for i in range(n):
    token = f"msgbench-{fill}-{i}"
    call("POST", "/api/v1/livechat/visitor", {"visitor": {"token": token}})
    rid = call("GET", f"/api/v1/livechat/room?token={token}")["room"]["_id"]
    rooms.append((token, rid))
for k in range(fill):
    token, rid = rooms[0]
    call("POST", "/api/v1/livechat/message", {"token": token, "rid": rid, "msg": f"message {k} with *markup* and https://example.com"})
for token, rid in rooms:
    print(token, rid)
