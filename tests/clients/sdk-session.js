// A whole visitor conversation through @rocket.chat/sdk 1.0.0-alpha.42's Livechat client
// (what the widget bundles), against a running Ferrochat. Env: FERROCHAT_URL, AGENT_ID,
// AGENT_TOKEN (an available agent). Exits non-zero on the first failed step.
const { Livechat } = require('@rocket.chat/sdk');
const assert = require('node:assert/strict');

const url = process.env.FERROCHAT_URL;
const agent = { id: process.env.AGENT_ID, token: process.env.AGENT_TOKEN };
const token = 'sdk-' + Math.random().toString(16).slice(2);

async function agentSays(rid, msg) {
  const r = await fetch(`${url}/api/v1/chat.sendMessage`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-User-Id': agent.id, 'X-Auth-Token': agent.token },
    body: JSON.stringify({ message: { rid, msg } }),
  });
  assert.equal(r.status, 200, `chat.sendMessage ${r.status}`);
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
    console.log(`FAIL ${name}: ${e && e.stack || e}`);
    process.exit(1);
  }
}

(async () => {
  const lc = new Livechat({ host: url, protocol: 'ddp', useSsl: false });
  lc.credentials.token = token;
  const messages = [];
  const typing = [];
  const agentChanges = [];

  await step('config', async () => {
    const config = await lc.config({ token });
    assert.equal(config.online, true);
    assert.ok(config.settings);
  });
  await step('connect + livechat:setUpConnection', () => lc.connect({}));
  const visitor = await step('grantVisitor', async () => {
    const visitor = await lc.grantVisitor({ visitor: { token, name: 'SDK Visitor' } });
    assert.equal(visitor.token, token);
    return visitor;
  });
  const room = await step('room', async () => {
    const room = await lc.room();
    assert.ok(room._id);
    assert.equal(room.v.token, token);
    assert.ok(room.servedBy, 'routed to the agent');
    return room;
  });
  await step('subscribe', async () => {
    await lc.subscribeRoom(room._id);
    lc.onMessage((m) => messages.push(m));
    lc.onTyping((user, isTyping) => typing.push([user, isTyping]));
    await lc.onAgentStatusChange(room._id, (s) => agentChanges.push(s));
  });
  await step('visitor typing', () => lc.notifyVisitorTyping(room._id, visitor.username, true));
  await step('send', async () => {
    const { message } = await lc.sendMessage({ msg: 'Hello from the SDK', rid: room._id });
    assert.equal(message.msg, 'Hello from the SDK');
    assert.equal(message.token, token);
  });
  await step('agent reply pushed over the socket', async () => {
    await agentSays(room._id, 'Hi SDK, an agent here');
    const m = await waitFor(messages, (m) => m.msg === 'Hi SDK, an agent here', 'the agent reply');
    assert.ok(m.ts instanceof Date || typeof m.ts === 'object', 'ts decoded from EJSON');
  });
  await step('history', async () => {
    const history = await lc.loadMessages(room._id, {});
    const texts = history.map((m) => m.msg);
    assert.equal(texts[0], 'Hi SDK, an agent here', 'newest first');
    assert.ok(texts.includes('Hello from the SDK'));
  });
  await step('agent.info', async () => {
    const info = await lc.agent({ rid: room._id });
    assert.equal(info._id, agent.id);
  });
  await step('edit and get', async () => {
    const sent = messages.find((m) => m.msg === 'Hello from the SDK');
    await lc.editMessage(sent._id, { token, rid: room._id, msg: 'Hello (edited)' });
    const message = await lc.message(sent._id, { rid: room._id });
    assert.equal(message.msg, 'Hello (edited)');
  });
  await step('visitor.status', () => lc.updateVisitorStatus('away'));
  await step('close', async () => {
    const r = await lc.closeChat({ rid: room._id });
    assert.equal(r.rid, room._id);
    await waitFor(messages, (m) => m.t === 'livechat-close', 'the livechat-close message');
  });
  console.log('SESSION DONE');
  process.exit(0);
})().catch((e) => {
  console.log(`SESSION ABORTED ${e && e.stack || e}`);
  process.exit(1);
});
