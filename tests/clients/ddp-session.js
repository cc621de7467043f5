// A whole visitor conversation through @rocket.chat/ddp-client 1.1.2's LivechatClientImpl
// (the newer client generation: user-activity instead of typing), against a running
// Ferrochat. Env: FERROCHAT_URL, AGENT_ID, AGENT_TOKEN. Exits non-zero on a failed step.
globalThis.WebSocket = require('ws');
const { LivechatClientImpl } = require('@rocket.chat/ddp-client');
const assert = require('node:assert/strict');

const url = process.env.FERROCHAT_URL;
const agent = { id: process.env.AGENT_ID, token: process.env.AGENT_TOKEN };
const token = 'ddp-' + Math.random().toString(16).slice(2);

async function rest(method, path, body) {
  const r = await fetch(`${url}/api/v1/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-User-Id': agent.id, 'X-Auth-Token': agent.token },
    body: body && JSON.stringify(body),
  });
  assert.equal(r.status, 200, `${path} ${r.status}`);
  return r.json();
}

function waitFor(list, pred, what, ms = 5000) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      const hit = list.find(pred);
      if (hit) return resolve(hit);
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

async function step(name, fn) {
  try {
    const out = await fn();
    console.log(`OK   ${name}`);
    return out;
  } catch (e) {
    console.log(`FAIL ${name}: ${(e && e.stack) || e}`);
    process.exit(1);
  }
}

(async () => {
  const sdk = LivechatClientImpl.create(url);
  const messages = [];
  const activity = [];

  await step('config', async () => {
    const config = await sdk.config({});
    assert.equal(config.online, true);
  });
  await step('connect', () => sdk.connection.connect());
  const visitor = await step('grantVisitor', async () => {
    const { visitor } = await sdk.grantVisitor({ visitor: { token, name: 'DDP Visitor' } });
    assert.equal(visitor.token, token);
    return visitor;
  });
  await step('livechat:setUpConnection', () => sdk.client.callAsync('livechat:setUpConnection', { token }));
  const room = await step('room', async () => {
    const room = await sdk.room({});
    assert.ok(room._id && room.servedBy);
    return room;
  });
  await step('subscribeRoom', async () => {
    await sdk.subscribeRoom(room._id);
    sdk.onMessage((m) => messages.push(m));
    sdk.onUserActivity((user, events) => activity.push([user, events]));
  });
  await step('user-activity (typing)', () => sdk.notifyVisitorActivity(room._id, visitor.username, ['user-typing']));
  await step('send', async () => {
    const { message } = await sdk.sendMessage({ msg: 'Hello from ddp-client', rid: room._id });
    assert.equal(message.msg, 'Hello from ddp-client');
  });
  await step('agent typing reaches the visitor as user-activity', async () => {
    // The agent's older client types on RID/typing over its own socket.
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/websocket');
    await new Promise((res) => ws.addEventListener('open', res));
    const frames = [];
    ws.addEventListener('message', (e) => frames.push(JSON.parse(e.data)));
    ws.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'] }));
    ws.send(JSON.stringify({ msg: 'method', method: 'login', params: [{ resume: agent.token }], id: 'l1' }));
    await waitFor(frames, (f) => f.msg === 'result' && f.id === 'l1', 'agent login');
    ws.send(JSON.stringify({ msg: 'method', method: 'stream-notify-room', params: [`${room._id}/typing`, 'agent.smith', true], id: 't1' }));
    await waitFor(frames, (f) => f.msg === 'result' && f.id === 't1', 'typing result');
    const [user, events] = await waitFor(activity, ([u]) => u === 'agent.smith', 'agent user-activity');
    assert.equal(user, 'agent.smith');
    assert.deepEqual(events, ['user-typing']);
    ws.close();
  });
  await step('agent reply pushed over the socket', async () => {
    await rest('POST', 'chat.sendMessage', { message: { rid: room._id, msg: 'Hi ddp-client, an agent here' } });
    await waitFor(messages, (m) => m.msg === 'Hi ddp-client, an agent here', 'the agent reply');
  });
  await step('history', async () => {
    const history = await sdk.loadMessages(room._id, {});
    assert.equal(history[0].msg, 'Hi ddp-client, an agent here');
  });
  await step('close', async () => {
    await sdk.closeChat({ rid: room._id });
    await waitFor(messages, (m) => m.t === 'livechat-close', 'the livechat-close message');
  });
  console.log('SESSION DONE');
  process.exit(0);
})().catch((e) => {
  console.log(`SESSION ABORTED ${(e && e.stack) || e}`);
  process.exit(1);
});
