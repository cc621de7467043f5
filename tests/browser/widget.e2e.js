// The real, unmodified Rocket.Chat livechat widget (@rocket.chat/livechat 1.13.3) in headless
// Chromium against the Ferrochat binary, embedded in a host page on another origin, as a
// website owner pastes Rocket.Chat's snippet. Each scenario starts its own server on a free
// port with a fresh database.
//   online:  open the widget, visitor writes, visitor typing reaches the agent's DDP stream,
//            agent typing and reply (REST) reach the widget with the agent in the header,
//            a reload restores the conversation, the visitor finishes the chat.
//   offline: no agent available, so the widget shows the "leave a message" form; the visitor
//            sends it (livechat/offline.message) and the widget confirms.
//   demo:    the demo page at / of the server itself, a visitor and the agent's answer.
// Env: FERROCHAT_BIN (required), CHROMIUM (/usr/bin/chromium), ARTIFACTS_DIR (screenshots
// and server logs, default target/browser-artifacts). Exits non-zero on the first failed step.
'use strict';
const { chromium } = require('playwright-core');
const WebSocket = require('ws');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const BIN = process.env.FERROCHAT_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(process.env.ARTIFACTS_DIR || 'target/browser-artifacts');
const STEP_MS = 20000; // a guard against hanging, not a performance assertion
if (!BIN) throw new Error('FERROCHAT_BIN is required');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const cleanups = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function startServer(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrochat-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(ARTIFACTS, `server-${name}.log`), 'w');
  const child = spawn(BIN, [], {
    env: {
      ...process.env,
      PORT: String(port),
      BIND_IP: '127.0.0.1',
      ROOT_URL: url,
      DATABASE_URL: `sqlite://${dir}/ferrochat.db`,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASS: 'admin',
      BCRYPT_COST: '4',
      RUST_LOG: process.env.RUST_LOG || 'warn',
    },
    stdio: ['ignore', log, log],
  });
  cleanups.push(() => {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/info`)).ok) return { url, port };
    } catch {}
    await sleep(50);
  }
  throw new Error('server did not start');
}

async function rest(base, method, route, body, auth) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth) Object.assign(headers, { 'X-User-Id': auth.id, 'X-Auth-Token': auth.token });
  const r = await fetch(`${base}/api/v1/${route}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, 200, `${method} ${route}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function login(base, user, password) {
  const { data } = await rest(base, 'POST', 'login', { user, password });
  return { id: data.userId, token: data.authToken };
}

// A website on another origin (another port) with Rocket.Chat's installation snippet.
async function startHostPage(serverUrl, name) {
  const port = await freePort();
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>Host page</title></head>
<body style="font-family:sans-serif;background:#f4f6f8"><h1>ACME Corp (${name})</h1><p>A customer's website embedding the livechat widget.</p>
<script type="text/javascript">
(function(w, d, s, u) {
  w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '${serverUrl}/livechat/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
})(window, document, 'script', '${serverUrl}/livechat');
</script></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${port}/`, port };
}

// The agent's side of the socket: a plain DDP client as the agent console would speak it.
class Ddp {
  constructor(url) {
    this.ws = new WebSocket(url.replace(/^http/, 'ws') + '/websocket');
    this.frames = [];
    this.n = 0;
    this.ws.on('message', (m) => {
      const f = JSON.parse(m.toString());
      if (f.msg === 'ping') this.ws.send(JSON.stringify({ msg: 'pong' }));
      this.frames.push(f);
    });
    cleanups.push(() => this.ws.close());
  }
  async connect() {
    await new Promise((r, e) => (this.ws.once('open', r), this.ws.once('error', e)));
    this.ws.send(JSON.stringify({ msg: 'connect', version: '1', support: ['1'] }));
    await this.wait((f) => f.msg === 'connected', 'connected');
  }
  async call(method, params) {
    const id = `m${++this.n}`;
    this.ws.send(JSON.stringify({ msg: 'method', id, method, params }));
    const r = await this.wait((f) => f.msg === 'result' && f.id === id, `result of ${method}`);
    assert.ok(!r.error, `${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  }
  async sub(name, params) {
    const id = `s${++this.n}`;
    this.ws.send(JSON.stringify({ msg: 'sub', id, name, params }));
    const r = await this.wait((f) => (f.msg === 'ready' && f.subs.includes(id)) || (f.msg === 'nosub' && f.id === id), `sub ${name}`);
    assert.equal(r.msg, 'ready', `sub ${name}: ${JSON.stringify(r)}`);
  }
  async wait(pred, what) {
    for (let t = 0; t < STEP_MS / 20; t++) {
      const hit = this.frames.find(pred);
      if (hit) return hit;
      await sleep(20);
    }
    throw new Error(`DDP: timed out waiting for ${what}`);
  }
}

async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  cleanups.push(() => browser.close());
  return browser;
}

// A page with the failures a visitor would never see but we want to: page errors and
// answers >= 400 from our server (the chime sound is upstream's file, which we do not ship).
async function openPage(browser, serverUrl, viewport = { width: 900, height: 760 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  const responses = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    responses.push(r);
    if (r.url().startsWith(serverUrl) && r.status() >= 400 && !r.url().includes('/sounds/')) {
      problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    }
  });
  return { page, problems, responses };
}

let shot = 0;
async function step(page, name, fn) {
  try {
    const out = await fn();
    shot += 1;
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`) });
    console.log(`OK   ${name}`);
    return out;
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, `FAILED-${name}.png`) }).catch(() => {});
    console.log(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

const widgetFrame = (page, serverUrl) => page.frames().find((f) => f.url().startsWith(`${serverUrl}/livechat`));

async function openWidget(page) {
  const frame = page.frameLocator('#rocketchat-iframe');
  await frame.locator('[class*="screen__chat-button"]').click();
  return frame;
}

// An online agent, as the README sets one up.
async function agentOnline(server) {
  const admin = await login(server.url, 'admin', 'admin');
  await rest(server.url, 'POST', 'users.create',
    { username: 'agent.smith', email: 'smith@e2e.test', password: 'agent-pass', name: 'Agent Smith' }, admin);
  await rest(server.url, 'POST', 'livechat/users/agent', { username: 'agent.smith' }, admin);
  const agent = await login(server.url, 'agent.smith', 'agent-pass');
  await rest(server.url, 'POST', 'users.setStatus', { status: 'online' }, agent);
  return { admin, agent };
}

async function widgetStore(page, serverUrl) {
  return JSON.parse(await widgetFrame(page, serverUrl).evaluate(() => localStorage.getItem('store')));
}

async function online(browser) {
  const server = await startServer('online');
  const { admin, agent } = await agentOnline(server);
  const host = await startHostPage(server.url, 'online');
  // Only the host page may frame the widget: the browser must still show it.
  await rest(server.url, 'POST', 'settings/Livechat_AllowedDomainsList', { value: `127.0.0.1:${host.port}, example.com` }, admin);

  const { page, problems, responses } = await openPage(browser, server.url);
  await step(page, 'host-page', async () => {
    await page.goto(host.url);
    await page.frameLocator('#rocketchat-iframe').locator('[class*="screen__chat-button"]').waitFor();
    const index = responses.find((r) => r.url() === `${server.url}/livechat`);
    assert.ok(index, 'the iframe loaded /livechat');
    const h = await index.allHeaders();
    assert.equal(h['content-security-policy'], `frame-ancestors http://127.0.0.1:${host.port}`);
    assert.equal(h['x-frame-options'], undefined);
  });
  const frame = await step(page, 'registration-form', async () => {
    const f = await openWidget(page);
    await f.locator('input[name="name"]').fill('Mary Visitor');
    await f.locator('input[name="email"]').fill('mary@e2e.test');
    return f;
  });
  await step(page, 'chat-open', async () => {
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await frame.locator('[contenteditable="true"]').waitFor();
  });
  const composer = frame.locator('[contenteditable="true"]');
  await step(page, 'visitor-message', async () => {
    await composer.click();
    await composer.pressSequentially('hello from browser');
    await composer.press('Enter');
    await frame.getByText('hello from browser').waitFor();
  });
  const store = await widgetStore(page, server.url);
  const rid = store.room && store.room._id;
  assert.ok(rid, 'the widget stored its room');
  const visitorName = store.user.username;

  const ddp = new Ddp(server.url);
  await ddp.connect();
  await ddp.call('login', [{ resume: agent.token }]);
  await ddp.sub('stream-notify-room', [`${rid}/typing`, { useCollection: false, args: [] }]);
  await step(page, 'visitor-typing-seen-by-agent', async () => {
    await composer.pressSequentially('still typ');
    await ddp.wait((f) => f.msg === 'changed' && f.fields.eventName === `${rid}/typing`
      && f.fields.args[0] === visitorName && f.fields.args[1] === true, 'the visitor typing on the agent stream');
    await composer.press('Control+A');
    await composer.press('Backspace');
  });
  await step(page, 'agent-typing', async () => {
    await ddp.call('stream-notify-room', [`${rid}/typing`, 'agent.smith', true]);
    await frame.locator('[class*="typing-dots"]').first().waitFor();
  });
  await step(page, 'agent-reply', async () => {
    await ddp.call('stream-notify-room', [`${rid}/typing`, 'agent.smith', false]);
    await frame.locator('[class*="typing-dots"]').first().waitFor({ state: 'detached' });
    await rest(server.url, 'POST', 'chat.sendMessage', { message: { rid, msg: 'reply from agent' } }, agent);
    await frame.getByText('reply from agent').waitFor();
    // the serving agent is shown in the header
    await frame.getByText('Agent Smith').first().waitFor();
  });
  await step(page, 'reload-restores', async () => {
    await page.reload();
    // the widget comes back minimised, its conversation taken from config's guest/room/agent
    const f = await openWidget(page);
    await f.getByText('hello from browser').waitFor();
    await f.getByText('reply from agent').waitFor();
    await f.getByText('Agent Smith').first().waitFor();
  });
  // the widget reports the visitor's presence on activity and the host page's navigation
  for (const route of ['visitor.status', 'page.visited']) {
    assert.ok(responses.some((r) => r.url() === `${server.url}/api/v1/livechat/${route}` && r.status() === 200),
      `${route} was accepted`);
  }
  await step(page, 'finished', async () => {
    const f = page.frameLocator('#rocketchat-iframe');
    await f.getByRole('button', { name: 'Options' }).click();
    await f.getByText('Finish this chat').click();
    await f.getByRole('button', { name: 'Yes' }).click();
    await f.getByText('New Chat').first().waitFor();
    const { config } = await rest(server.url, 'GET', `livechat/config?token=${store.token}`);
    assert.equal(config.room, undefined, 'the room is closed on the server');
  });
  await step(page, 'agent-closes', async () => {
    const f = page.frameLocator('#rocketchat-iframe');
    await f.getByRole('button', { name: 'New Chat' }).click();
    const input = f.locator('[contenteditable="true"]');
    await input.click();
    await input.pressSequentially('one more question');
    await input.press('Enter');
    await f.getByText('one more question').waitFor();
    const { config } = await rest(server.url, 'GET', `livechat/config?token=${store.token}`);
    assert.ok(config.room && config.room._id !== rid, 'a second room');
    await rest(server.url, 'POST', 'livechat/room.closeByUser', { rid: config.room._id, comment: 'solved' }, agent);
    await f.getByText('Thanks for talking with us').waitFor();
  });
  return problems;
}

async function offline(browser) {
  const server = await startServer('offline');
  const admin = await login(server.url, 'admin', 'admin');
  // where offline messages go; no MX lookup of the visitor's domain from CI
  await rest(server.url, 'POST', 'settings/Livechat_offline_email', { value: 'support@e2e.test' }, admin);
  await rest(server.url, 'POST', 'settings/Livechat_validate_offline_email', { value: false }, admin);
  const host = await startHostPage(server.url, 'offline');
  const { page, problems } = await openPage(browser, server.url);
  await step(page, 'offline-form', async () => {
    await page.goto(host.url);
    const frame = await openWidget(page);
    await frame.getByText('Leave a message').first().waitFor();
    await frame.locator('input[name="name"]').waitFor();
    await frame.locator('input[name="email"]').waitFor();
    await frame.locator('textarea[name="message"]').waitFor();
  });
  await step(page, 'offline-message-sent', async () => {
    const frame = page.frameLocator('#rocketchat-iframe');
    await frame.locator('input[name="name"]').fill('Olga Offline');
    await frame.locator('input[name="email"]').fill('olga@e2e.test');
    await frame.locator('textarea[name="message"]').fill('Please call me back tomorrow.');
    const answer = page.waitForResponse((r) => r.url() === `${server.url}/api/v1/livechat/offline.message`);
    await frame.getByRole('button', { name: 'Send' }).click();
    const body = await (await answer).json();
    assert.equal(body.success, true, JSON.stringify(body));
    // the widget confirms with the server's message
    await frame.getByText(body.message).waitFor();
  });
  return problems;
}

// The README's promise: the demo page at / of a freshly started server, a visitor and an
// agent answering through the REST API (its screenshot is docs/demo.png).
async function demo(browser) {
  const server = await startServer('demo');
  const { agent } = await agentOnline(server);
  const { page, problems } = await openPage(browser, server.url, { width: 1280, height: 760 });
  await step(page, 'demo-page', async () => {
    await page.goto(`${server.url}/`);
    const f = await openWidget(page);
    await f.locator('input[name="name"]').fill('Mary');
    await f.locator('input[name="email"]').fill('mary@example.com');
    await f.getByRole('button', { name: 'Start chat' }).click();
    const input = f.locator('[contenteditable="true"]');
    await input.click();
    await input.pressSequentially('Hi! Do you ship to Lisbon?');
    await input.press('Enter');
    await f.getByText('Hi! Do you ship to Lisbon?').waitFor();
    const { room } = await widgetStore(page, server.url);
    await rest(server.url, 'POST', 'chat.sendMessage',
      { message: { rid: room._id, msg: 'Hello Mary! Yes, we deliver to Lisbon in two days.' } }, agent);
    await f.getByText('Hello Mary! Yes, we deliver to Lisbon in two days.').waitFor();
  });
  return problems;
}

(async () => {
  let failed = false;
  try {
    const browser = await launch();
    const problems = [...(await online(browser)), ...(await offline(browser)), ...(await demo(browser))];
    assert.deepEqual(problems, [], 'no page errors, no failed requests to the server');
    console.log(`screenshots in ${ARTIFACTS}`);
  } catch (e) {
    console.error(e.stack || e.message);
    failed = true;
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {}
    }
  }
  process.exit(failed ? 1 : 0);
})();
