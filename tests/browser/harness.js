// What the browser tests share: a Ferrochat server on a free port with a fresh database
// (restartable on the same port and database), REST calls, Chromium, screenshots per step.
'use strict';
const { chromium } = require('playwright-core');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
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

async function startServer(name, extraEnv = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrochat-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = path.join(ARTIFACTS, `server-${name}.log`);
  const env = {
    ...process.env,
    PORT: String(port),
    BIND_IP: '127.0.0.1',
    ROOT_URL: url,
    DATABASE_URL: `sqlite://${dir}/ferrochat.db`,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASS: 'admin',
    BCRYPT_COST: '4',
    RUST_LOG: process.env.RUST_LOG || 'warn',
    ...extraEnv,
  };
  const server = { url, port, child: null };
  server.start = async () => {
    const log = fs.openSync(logPath, 'a');
    const child = spawn(BIN, [], { env, stdio: ['ignore', log, log] });
    server.child = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        if ((await fetch(`${url}/api/info`)).ok) return;
      } catch {}
      await sleep(50);
    }
    throw new Error('server did not start');
  };
  server.stop = async () => {
    const child = server.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await server.start();
  return server;
}

async function rest(base, method, route, body, auth, expect = 200) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth) Object.assign(headers, { 'X-User-Id': auth.id, 'X-Auth-Token': auth.token });
  const r = await fetch(`${base}/api/v1/${route}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, expect, `${method} ${route}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function login(base, user, password) {
  const { data } = await rest(base, 'POST', 'login', { user, password });
  return { id: data.userId, token: data.authToken };
}

async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--autoplay-policy=no-user-gesture-required'],
  });
  cleanups.push(() => browser.close());
  return browser;
}

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  await page.screenshot({ path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`) });
}

async function runAll(main) {
  let failed = false;
  try {
    await main();
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
}

module.exports = { ARTIFACTS, STEP_MS, cleanups, sleep, freePort, startServer, rest, login, launch, screenshot, runAll };
