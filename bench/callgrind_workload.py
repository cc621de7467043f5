# The fixed, serial workload of bench/callgrind.sh: N visitors, their N rooms (routed to 3 agents),
# 5N visitor messages, 5N history reads, 5N seed-endpoint reads; callgrind dumps its counts after each phase.
import http.client, json, subprocess, sys, time
port = int(sys.argv[1]); pid = sys.argv[2]
N_ROOMS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
c = http.client.HTTPConnection('127.0.0.1', port, timeout=600)
def req(m, p, body=None, h=None):
    hh = {'content-type': 'application/json'}; hh.update(h or {})
    c.request(m, p, json.dumps(body) if body is not None else None, hh)
    r = c.getresponse(); d = r.read()
    if r.status != 200: raise SystemExit(f'{m} {p} -> {r.status} {d[:300]}')
    return json.loads(d)
def dump(name):
    subprocess.run(['callgrind_control', '--dump=' + name, pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
l = req('POST', '/api/v1/login', {'user': 'admin', 'password': 'admin'})['data']
A = {'x-user-id': l['userId'], 'x-auth-token': l['authToken']}
for a in ('agent1', 'agent2', 'agent3'):
    req('POST', '/api/v1/users.create', {'username': a, 'email': a + '@b.local', 'password': 'p', 'name': a}, A)
    req('POST', '/api/v1/livechat/users/agent', {'username': a}, A)
    la = req('POST', '/api/v1/login', {'user': a, 'password': 'p'})['data']
    h = {'x-user-id': la['userId'], 'x-auth-token': la['authToken']}
    req('POST', '/api/v1/users.setStatus', {'status': 'online'}, h)
    req('POST', '/api/v1/livechat/agent.status', {'status': 'available'}, h)
# warm-up: one of each
req('POST', '/api/v1/livechat/visitor', {'visitor': {'token': 'warm'}})
wr = req('GET', '/api/v1/livechat/room?token=warm')['room']['_id']
req('POST', '/api/v1/livechat/message', {'token': 'warm', 'rid': wr, 'msg': 'hi'})
req('GET', f'/api/v1/livechat/messages.history/{wr}?token=warm')
subprocess.run(['callgrind_control', '-z', pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t = time.time()
for i in range(N_ROOMS):
    req('POST', '/api/v1/livechat/visitor', {'visitor': {'token': f'v{i}', 'name': f'Visitor {i}'}})
dump('visitors')
rooms = []
for i in range(N_ROOMS):
    rooms.append(req('GET', f'/api/v1/livechat/room?token=v{i}')['room']['_id'])
dump('rooms')
for k in range(5 * N_ROOMS):
    i = k % N_ROOMS
    req('POST', '/api/v1/livechat/message', {'token': f'v{i}', 'rid': rooms[i], 'msg': f'message **{k}** with a https://example.com link'})
dump('messages')
for k in range(5 * N_ROOMS):
    i = k % N_ROOMS
    req('GET', f'/api/v1/livechat/messages.history/{rooms[i]}?token=v{i}')
dump('history')
for k in range(5 * N_ROOMS):
    req('GET', f'/api/v1/livechat/room?token=v{k % N_ROOMS}')
dump('seed')
print('workload done in %.1fs' % (time.time() - t))
