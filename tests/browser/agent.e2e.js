// The agent workspace (/agent) in headless Chromium, a whole day of support: the real
// Rocket.Chat widget on the demo page as visitors, two agents (Alice, Bob) in two browser
// contexts, every numbered item of the workspace's issue, a server restart mid-conversation,
// and a phone-width screen. The app is driven by its accessible names, as a person with a
// screen reader would. Screenshots of each step go to ARTIFACTS_DIR.
//
// Every step must pass, and no page may log an error or see a failed request. Latencies the issue promises (a new chat within 1 s, availability within 2 s) are
// measured and printed (agent-timings.json); AGENT_E2E_TIMING=1 also asserts them.
// Env: FERROCHAT_BIN, AGENT_APP_DIR and LIVECHAT_WIDGET_DIR (required), CHROMIUM, ARTIFACTS_DIR.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./harness');

const TIMING = process.env.AGENT_E2E_TIMING === '1';
if (!process.env.AGENT_APP_DIR) throw new Error('AGENT_APP_DIR is required');
if (!process.env.LIVECHAT_WIDGET_DIR) throw new Error('LIVECHAT_WIDGET_DIR is required');

const timings = {};
// While the server restarts (and a moment after), the real widget's own requests fail and it
// reports them as unhandled rejections: expected then, a fault at any other time.
const restart = { down: false, settledAt: 0 };
const pages = [];

function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}
function queueItem(page, name) {
  return region(page, 'Queue').getByRole('listitem').filter({ hasText: name });
}
function chatItem(page, name) {
  return region(page, 'My chats').getByRole('listitem').filter({ hasText: name });
}
function conversation(page) {
  return region(page, 'Conversation');
}

async function step(page, name, fn) {
  try {
    const out = await fn();
    await h.screenshot(page, name);
    console.log(`OK      ${name}`);
    return out;
  } catch (e) {
    await page.screenshot({ path: path.join(h.ARTIFACTS, `FAILED-${name}.png`) }).catch(() => {});
    console.log(`FAIL    ${name}: ${e.message}`);
    throw e;
  }
}

async function timed(name, fn) {
  const t0 = Date.now();
  const out = await fn();
  timings[name] = Date.now() - t0;
  return out;
}

async function openPage(browser, server, label, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['notifications'], { origin: server.url });
  const page = await context.newPage();
  page.setDefaultTimeout(h.STEP_MS);
  const problems = [];
  page.on('pageerror', (e) => {
    const restarting = restart.down || Date.now() < restart.settledAt;
    if (restarting && label.startsWith('visitor') && e.message === 'Failed to fetch') return;
    // The real widget's new-message sound: its own pause() can land before its play() settles, and the
    // widget leaves that rejection unhandled. Browser audio timing in upstream's unmodified code, not a fault
    // of the server or of our app (ours catches it: web/agent/src/lib/alerts.ts).
    if (label.startsWith('visitor') && e.message.startsWith('The play() request was interrupted by a call to pause()')) return;
    problems.push(`${label} pageerror: ${e.message}`);
  });
  page.on('response', (r) => {
    const url = r.url();
    if (!url.startsWith(server.url) || r.status() < 400 || url.includes('/sounds/')) return;
    problems.push(`${label}: ${r.status()} ${r.request().method()} ${url}`);
  });
  pages.push(page);
  return { page, problems, context };
}

async function signIn(page, server, user, password) {
  await page.goto(`${server.url}/agent`);
  await page.getByLabel('Username or e-mail').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await region(page, 'Queue').waitFor();
}

const widget = (page) => page.frameLocator('#rocketchat-iframe');
const widgetFrame = (page, server) => page.frames().find((f) => f.url().startsWith(`${server.url}/livechat`));

async function openWidget(page) {
  const frame = widget(page);
  await frame.locator('[class*="screen__chat-button"]').click();
  return frame;
}

async function widgetStore(page, server) {
  return JSON.parse(await widgetFrame(page, server).evaluate(() => localStorage.getItem('store')));
}

async function startVisitorChat(page, server, name, email, text) {
  await page.goto(`${server.url}/`);
  const frame = await openWidget(page);
  await frame.locator('input[name="name"]').fill(name);
  await frame.locator('input[name="email"]').fill(email);
  await frame.getByRole('button', { name: 'Start chat' }).click();
  const input = frame.locator('[contenteditable="true"]');
  await input.click();
  await input.pressSequentially(text);
  const sent = Date.now();
  await input.press('Enter');
  return { frame, input, sent };
}

async function visitorSays(server, token, rid, msg) {
  return h.rest(server.url, 'POST', 'livechat/message', { token, rid, msg });
}

async function alerts(page) {
  return page.evaluate(() => ({ ...window.ferrochatAlerts, notifications: [...window.ferrochatAlerts.notifications] }));
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC',
  'base64',
);

async function setup(server) {
  const admin = await h.login(server.url, 'admin', 'admin');
  const user = async (username, name) => {
    await h.rest(server.url, 'POST', 'users.create',
      { username, name, email: `${username}@e2e.test`, password: `${username}-pass` }, admin);
  };
  await user('alice', 'Alice Agent');
  await user('bob', 'Bob Agent');
  await user('carol', 'Carol Away');
  for (const u of ['alice', 'bob', 'carol']) await h.rest(server.url, 'POST', 'livechat/users/agent', { username: u }, admin);
  // Upstream's defaults keep forwarding and transcripts from plain agents; this team allows both.
  const perms = (await h.rest(server.url, 'GET', 'permissions.listAll', null, admin)).update;
  const withAgents = (id) => ({ _id: id, roles: [...new Set([...perms.find((p) => p._id === id).roles, 'livechat-agent'])] });
  await h.rest(server.url, 'POST', 'permissions.update',
    { permissions: ['transfer-livechat-guest', 'send-omnichannel-chat-transcript'].map(withAgents) }, admin);
  const carol = await h.login(server.url, 'carol', 'carol-pass');
  await h.rest(server.url, 'POST', 'livechat/agent.status', { status: 'not-available' }, carol);
  const ids = {};
  for (const u of ['alice', 'bob']) ids[u] = (await h.rest(server.url, 'GET', `users.info?username=${u}`, null, admin)).user._id;
  const dept = async (name, agents, extra = {}) => {
    const res = await h.rest(server.url, 'POST', 'livechat/department', {
      department: { enabled: true, name, email: `${name.toLowerCase()}@e2e.test`, showOnRegistration: false, showOnOfflineForm: false, ...extra },
      agents: agents.map((u) => ({ agentId: ids[u], username: u, count: 0, order: 0 })),
    }, admin);
    return res.department._id;
  };
  const billing = await dept('Billing', ['bob']);
  const sales = await dept('Sales', ['alice', 'bob'], { departmentsAllowedToForward: [billing] });
  await h.rest(server.url, 'POST', 'livechat/custom-fields.save', {
    customFieldId: null,
    customFieldData: { field: 'company', label: 'Company', scope: 'visitor', visibility: 'visible', regexp: '' },
  }, admin);
  await h.rest(server.url, 'POST', 'settings/Livechat_Routing_Method', { value: 'Manual_Selection' }, admin);
  return { admin, sales, billing, ids };
}

async function main() {
  const server = await h.startServer('agent', { TEST_MODE: 'true' });
  const { admin, sales, ids } = await setup(server);
  const browser = await h.launch();
  const A = await openPage(browser, server, 'alice');
  const B = await openPage(browser, server, 'bob');
  const V = await openPage(browser, server, 'visitor', { width: 1000, height: 760 });
  const alice = A.page;
  const bob = B.page;
  const visitor = V.page;

  // 1. Sign in with username or e-mail; the session survives a reload.
  await step(alice, 'sign-in-username', () => signIn(alice, server, 'alice', 'alice-pass'));
  await step(bob, 'sign-in-email', () => signIn(bob, server, 'bob@e2e.test', 'bob-pass'));
  await step(alice, 'wrong-password', async () => {
    const { page } = await openPage(browser, server, 'stranger');
    await page.goto(`${server.url}/agent`);
    await page.getByLabel('Username or e-mail').fill('alice');
    await page.getByLabel('Password').fill('nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong username').waitFor();
    await page.context().close();
    pages.pop();
  });
  await step(alice, 'session-survives-reload', async () => {
    const t0 = Date.now();
    await alice.reload();
    await region(alice, 'Queue').getByRole('heading').waitFor();
    await region(alice, 'My chats').getByText(/No open chats|Visitor/).first().waitFor();
    timings.reloadToUsable = Date.now() - t0;
    assert.equal(await alice.getByLabel('Password').count(), 0);
  });

  // 2. Availability: one switch; the widget follows.
  const aliceSwitch = alice.getByRole('switch', { name: 'Available' });
  const bobSwitch = bob.getByRole('switch', { name: 'Available' });
  await step(visitor, 'unavailable-widget-offline', async () => {
    for (const [page, s] of [[alice, aliceSwitch], [bob, bobSwitch]]) {
      assert.equal(await s.getAttribute('aria-checked'), 'true', 'a new agent is available');
      await s.click();
      await page.locator('[role="switch"][aria-checked="false"]').waitFor();
    }
    await visitor.goto(`${server.url}/`);
    const f = await openWidget(visitor);
    await f.getByText('Leave a message').first().waitFor();
  });
  await step(visitor, 'available-widget-online', async () => {
    const t0 = Date.now();
    await aliceSwitch.click();
    await alice.locator('[role="switch"][aria-checked="true"]').waitFor();
    await visitor.goto(`${server.url}/`);
    const f = await openWidget(visitor);
    await f.getByRole('button', { name: 'Start chat' }).waitFor();
    timings.availabilityToWidgetOnline = Date.now() - t0;
    await bobSwitch.click();
    await bob.locator('[role="switch"][aria-checked="true"]').waitFor();
  });

  // 3. Queue: a new chat appears at once, with its alerts; taking it moves it.
  const alertsBefore = await alerts(alice);
  const mary = await step(visitor, 'visitor-writes', async () => {
    const v = await startVisitorChat(visitor, server, 'Mary Visitor', 'mary@e2e.test', 'Hello, I need help with my order');
    await v.frame.getByText('Hello, I need help with my order').waitFor();
    return v;
  });
  await step(alice, 'queue-new-chat', async () => {
    await queueItem(alice, 'Mary Visitor').waitFor();
    timings.newChatInQueue = Date.now() - mary.sent;
    await queueItem(bob, 'Mary Visitor').waitFor();
    const item = queueItem(alice, 'Mary Visitor');
    await item.getByRole('button', { name: 'Take' }).waitFor();
    assert.match(await alice.title(), /^\(1\) /);
    const a = await alerts(alice);
    assert.ok(a.sounds > alertsBefore.sounds, 'a chime');
    assert.ok(a.notifications.some((n) => n.includes('Mary Visitor')), `a notification: ${a.notifications}`);
    const before = await item.locator('.waiting').textContent();
    await h.sleep(2100);
    assert.notEqual(await item.locator('.waiting').textContent(), before, 'the waiting time ticks');
  });
  await step(alice, 'queue-first-message', async () => {
    await queueItem(alice, 'Mary Visitor').getByText('Hello, I need help with my order').waitFor();
  });
  const store = await widgetStore(visitor, server);
  const maryRoom = store.room._id;
  const maryToken = store.token;

  await step(alice, 'queue-department', async () => {
    await h.rest(server.url, 'POST', 'livechat/visitor', { visitor: { token: 'dora-token', name: 'Dora Dept', department: sales } });
    const { room } = await h.rest(server.url, 'GET', 'livechat/room?token=dora-token');
    await visitorSays(server, 'dora-token', room._id, 'A question for sales');
    try {
      const item = queueItem(alice, 'Dora Dept');
      await item.waitFor();
      await item.getByText('Sales', { exact: true }).waitFor();
      await item.getByText('A question for sales').waitFor();
    } finally {
      await h.rest(server.url, 'POST', 'livechat/room.close', { rid: room._id, token: 'dora-token' });
    }
  });

  await step(bob, 'take', async () => {
    const t0 = Date.now();
    await queueItem(bob, 'Mary Visitor').getByRole('button', { name: 'Take' }).click();
    await chatItem(bob, 'Mary Visitor').waitFor();
    await queueItem(alice, 'Mary Visitor').waitFor({ state: 'detached' });
    timings.takenLeavesOtherQueues = Date.now() - t0;
    await conversation(bob).getByText('Hello, I need help with my order').waitFor();
    assert.ok(bob.url().endsWith(`/agent/chat/${maryRoom}`), bob.url());
  });

  // A chat routed automatically lands in My chats with the same alerts.
  await h.rest(server.url, 'POST', 'settings/Livechat_Routing_Method', { value: 'Auto_Selection' }, admin);
  const V2 = await openPage(browser, server, 'visitor2', { width: 1000, height: 760 });
  const visitor2 = V2.page;
  const aliceAlerts = await alerts(alice);
  const victor = await step(visitor2, 'visitor2-writes', async () => {
    const v = await startVisitorChat(visitor2, server, 'Victor Visitor', 'victor@e2e.test', 'Is anyone there?');
    await v.frame.getByText('Is anyone there?').waitFor();
    return v;
  });
  await step(alice, 'routed-to-my-chats', async () => {
    await chatItem(alice, 'Victor Visitor').waitFor();
    timings.routedChatInMyChats = Date.now() - victor.sent;
    const a = await alerts(alice);
    assert.ok(a.sounds > aliceAlerts.sounds, 'a chime');
    assert.ok(a.notifications.some((n) => n.includes('Victor Visitor')), `a notification: ${a.notifications}`);
  });
  await h.rest(server.url, 'POST', 'settings/Livechat_Routing_Method', { value: 'Manual_Selection' }, admin);
  const victorStore = await widgetStore(visitor2, server);
  const victorRoom = victorStore.room._id;
  const victorToken = victorStore.token;

  // 4. My chats: last message, unread count, visitor online.
  await step(alice, 'my-chats', async () => {
    const item = chatItem(alice, 'Victor Visitor');
    await item.getByText('Is anyone there?').waitFor();
    await item.getByLabel(/unread/).waitFor();
    await item.getByText('online').waitFor();
    assert.match(await alice.title(), /^\(1\) /, 'the unread chat counts in the title');
  });

  // 5. Conversation: older pages on scrolling up.
  await step(alice, 'older-pages', async () => {
    for (let i = 1; i <= 60; i++) await visitorSays(server, victorToken, victorRoom, `numbered message ${String(i).padStart(2, '0')}`);
    await chatItem(alice, 'Victor Visitor').getByText('numbered message 60').waitFor();
    await chatItem(alice, 'Victor Visitor').getByRole('link').click();
    const conv = conversation(alice);
    await conv.getByText('numbered message 60').waitFor();
    assert.equal(await conv.getByText('numbered message 02', { exact: true }).count(), 0, 'only the newest page at first');
    await chatItem(alice, 'Victor Visitor').getByLabel(/unread/).waitFor({ state: 'detached' });
    const log = conv.getByRole('log', { name: 'Messages' });
    for (let i = 0; i < 5 && (await conv.getByText('Is anyone there?').count()) === 0; i++) {
      await log.evaluate((el) => (el.scrollTop = 0));
      await h.sleep(300);
    }
    await conv.getByText('numbered message 01', { exact: true }).waitFor();
    await conv.getByText('Is anyone there?').waitFor();
    assert.equal(await conv.getByText('numbered message 30', { exact: true }).count(), 1, 'no message twice');
  });

  // Bob and Mary: new messages, typing both ways, markdown, no injection, files.
  const maryInput = mary.input;
  await step(bob, 'visitor-typing-shown', async () => {
    await maryInput.click();
    await maryInput.pressSequentially('Where is my parcel?', { delay: 30 });
    await conversation(bob).getByText(/is typing/).waitFor();
  });
  await step(bob, 'live-message', async () => {
    const t0 = Date.now();
    await maryInput.press('Enter');
    await conversation(bob).getByText('Where is my parcel?').waitFor();
    timings.newMessageInConversation = Date.now() - t0;
    await conversation(bob).getByText(/is typing/).waitFor({ state: 'detached' });
  });
  await step(visitor, 'agent-typing-shown', async () => {
    await conversation(bob).getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('Let me check');
    await mary.frame.locator('[class*="typing-dots"]').first().waitFor();
  });
  await step(bob, 'enter-sends-shift-enter-breaks', async () => {
    const box = conversation(bob).getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('');
    await box.pressSequentially('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    const msg = conversation(bob).locator('article.mine').filter({ hasText: 'line one' });
    await msg.waitFor();
    assert.match(await msg.locator('.md').innerText(), /line one\s*\n\s*line two/);
    assert.equal(await box.inputValue(), '', 'the box is emptied');
    await mary.frame.getByText('line two').waitFor();
  });
  await step(bob, 'markdown', async () => {
    await visitorSays(server, maryToken, maryRoom,
      '*bold* _italic_ ~strike~ `code` https://example.com :smile: @bob\n> quoted words\n- item one\n- item two\n```\nlet x = 1;\n```');
    const m = conversation(bob).locator('article').filter({ hasText: 'quoted words' });
    await m.waitFor();
    await m.locator('strong', { hasText: 'bold' }).waitFor();
    await m.locator('em', { hasText: 'italic' }).waitFor();
    await m.locator('s', { hasText: 'strike' }).waitFor();
    await m.locator('code', { hasText: /^code$/ }).waitFor();
    await m.locator('a[href="https://example.com"]').waitFor();
    await m.locator('blockquote', { hasText: 'quoted words' }).waitFor();
    await m.locator('li', { hasText: 'item two' }).waitFor();
    await m.locator('pre code', { hasText: 'let x = 1;' }).waitFor();
    await m.getByText('😄').waitFor();
    await m.locator('.mention', { hasText: '@bob' }).waitFor();
  });
  await step(bob, 'no-markup-injection', async () => {
    const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> [click me](javascript:window.__xss=3) <b>not bold</b>';
    await visitorSays(server, maryToken, maryRoom, evil);
    const m = conversation(bob).locator('article').filter({ hasText: 'not bold' });
    await m.waitFor();
    await m.getByText('<img src=x', { exact: false }).waitFor();
    assert.equal(await m.locator('img, script, b').count(), 0, 'no element from the visitor text');
    assert.equal(await m.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link');
    assert.equal(await bob.evaluate(() => window.__xss), undefined);
  });
  await step(bob, 'visitor-file-preview', async () => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'receipt.png');
    const r = await fetch(`${server.url}/api/v1/livechat/upload/${maryRoom}`, {
      method: 'POST', headers: { 'x-visitor-token': maryToken }, body: form,
    });
    assert.equal(r.status, 200, await r.text());
    const img = conversation(bob).locator('.files img');
    await img.first().waitFor();
    await bob.waitForFunction(() => [...document.querySelectorAll('.files img')].some((i) => i.complete && i.naturalWidth > 0));
    await conversation(bob).getByText('receipt.png').waitFor();
  });
  await step(bob, 'agent-attach-button', async () => {
    const chooser = bob.waitForEvent('filechooser');
    await conversation(bob).getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles({ name: 'invoice.png', mimeType: 'image/png', buffer: PNG });
    await conversation(bob).getByText('invoice.png').waitFor();
    // The widget shows an image attachment as the image itself (no file name).
    await mary.frame.locator('img[src*="invoice.png"]').first().waitFor();
  });
  await step(bob, 'agent-drop-and-paste', async () => {
    const b64 = PNG.toString('base64');
    await bob.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      document.querySelector('form.composer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      const dt2 = new DataTransfer();
      dt2.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      document.querySelector('textarea[aria-label="Message"]').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt2, bubbles: true, cancelable: true }));
    }, b64);
    await conversation(bob).getByText('dropped.png').waitFor();
    await conversation(bob).getByText('pasted.png').waitFor();
  });
  await step(bob, 'agent-edits-and-deletes', async () => {
    await conversation(bob).getByRole('textbox', { name: 'Message', exact: true }).fill('tpyo here');
    await conversation(bob).getByRole('button', { name: 'Send' }).click();
    const sent = conversation(bob).locator('article.mine').filter({ hasText: 'tpyo here' });
    const mine = conversation(bob).locator(`article[data-id="${await sent.getAttribute('data-id')}"]`);
    await mine.getByRole('button', { name: 'Edit' }).click();
    await mine.getByRole('textbox', { name: 'Edit message' }).fill('typo fixed');
    await mine.getByRole('button', { name: 'Save' }).click();
    await mary.frame.getByText('typo fixed').waitFor();
    await mine.getByText('typo fixed').waitFor();
    bob.once('dialog', (d) => d.accept());
    await mine.getByRole('button', { name: 'Delete' }).click();
    await mine.waitFor({ state: 'detached' });
    // The widget (1.13) does not listen for deletions: the visitor's history no longer has it.
    const hist = await h.rest(server.url, 'GET', `livechat/messages.history/${maryRoom}?token=${maryToken}`);
    assert.ok(!hist.messages.some((m) => m.msg === 'typo fixed'), 'deleted for the visitor too');
  });

  // 5b. Canned responses: `!` + shortcut in the composer; a manager's changes and the
  // agent's own responses show without a reload (stream-canned-responses).
  await step(bob, 'canned-responses-follow-changes', async () => {
    const conv = conversation(bob);
    const box = conv.getByRole('textbox', { name: 'Message', exact: true });
    const list = conv.getByRole('listbox', { name: 'Canned responses' });
    await h.rest(server.url, 'POST', 'canned-responses', { shortcut: 'hours', text: 'We are open 9 to 5.', scope: 'global' }, admin);
    await box.fill('');
    await box.pressSequentially('!hou');
    await list.getByRole('option', { name: /We are open 9 to 5\./ }).waitFor();
    const { cannedResponses } = await h.rest(server.url, 'GET', 'canned-responses?shortcut=hours', null, admin);
    const id = cannedResponses[0]._id;
    await h.rest(server.url, 'POST', 'canned-responses', { _id: id, shortcut: 'hours', text: 'We are open 8 to 6.', scope: 'global' }, admin);
    await list.getByRole('option', { name: /We are open 8 to 6\./ }).waitFor();
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), '!hou', 'Escape only closes the list');
    await h.rest(server.url, 'DELETE', 'canned-responses', { _id: id }, admin);
    await box.fill('');
    await box.pressSequentially('!ho');
    await bob.waitForTimeout(300);
    assert.equal(await list.count(), 0, 'a removed response is not offered');
    await box.fill('');
  });
  await step(bob, 'my-canned-responses', async () => {
    const conv = conversation(bob);
    await conv.getByRole('button', { name: 'My canned responses' }).click();
    const dialog = bob.getByRole('dialog', { name: 'My canned responses' });
    await dialog.getByLabel('Shortcut').fill('thanks');
    await dialog.getByLabel('Text').fill('Thanks for your patience!');
    await dialog.getByRole('button', { name: 'Add response' }).click();
    await dialog.getByRole('list', { name: 'My canned responses' }).getByText('Thanks for your patience!').waitFor();
    await dialog.getByRole('button', { name: 'Edit !thanks' }).click();
    await dialog.getByLabel('Text').fill('Thanks a lot for waiting!');
    await dialog.getByRole('button', { name: 'Save response' }).click();
    await dialog.getByRole('list', { name: 'My canned responses' }).getByText('Thanks a lot for waiting!').waitFor();
    const bobApi = await h.login(server.url, 'bob', 'bob-pass');
    const { cannedResponses } = await h.rest(server.url, 'GET', 'canned-responses?shortcut=thanks', null, bobApi);
    assert.equal(cannedResponses[0].scope, 'user');
    assert.equal(cannedResponses[0].text, 'Thanks a lot for waiting!');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    const box = conv.getByRole('textbox', { name: 'Message', exact: true });
    await box.pressSequentially('Sure. !th');
    await box.press('ArrowDown');
    await conv.getByRole('listbox', { name: 'Canned responses' }).getByRole('option', { name: /!thanks/ }).click();
    assert.equal(await box.inputValue(), 'Sure. Thanks a lot for waiting!');
    await box.fill('');
    await conv.getByRole('button', { name: 'My canned responses' }).click();
    bob.once('dialog', (d) => d.accept());
    await dialog.getByRole('button', { name: 'Delete !thanks' }).click();
    await dialog.getByText('No personal responses yet.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  });

  await step(bob, 'note-and-tag', async () => {
    const conv = conversation(bob);
    const box = conv.getByRole('textbox', { name: 'Message', exact: true });
    await h.rest(server.url, 'POST', 'method.call/livechat:saveTag', {
      message: JSON.stringify({ msg: 'method', id: '1', method: 'livechat:saveTag', params: [null, { name: 'refund' }, []] }),
    }, admin);
    await h.rest(server.url, 'POST', 'canned-responses', { shortcut: 'refund', text: 'Your refund is on its way: 3 to 5 working days.', scope: 'global' }, admin);
    await conv.getByRole('button', { name: 'Internal note' }).click();
    await box.fill('Second order this month, be quick');
    await box.press('Enter');
    await conv.getByRole('article', { name: 'Internal note by Bob Agent' }).waitFor();
    await conv.getByRole('button', { name: 'Internal note' }).click();
    // created after the chat was opened: the picker reads the catalogue again when focused
    const picker = conv.getByRole('group', { name: 'Tags' }).getByRole('combobox', { name: 'Add tag' });
    await picker.focus();
    await picker.locator('option', { hasText: 'refund' }).waitFor({ state: 'attached' });
    await picker.selectOption('refund');
    await conv.getByRole('group', { name: 'Tags' }).getByRole('button', { name: 'Remove tag refund' }).waitFor();
    await box.pressSequentially('!re');
    await conv.getByRole('listbox', { name: 'Canned responses' }).getByRole('option', { name: /!refund/ }).waitFor();
    // The README's screenshot: Bob's workspace in the middle of a conversation.
    await bob.screenshot({ path: path.join(h.ARTIFACTS, 'agent-workspace.png') });
    await box.press('Escape');
    await box.fill('');
    // the visitor never gets the note
    const hist = await h.rest(server.url, 'GET', `livechat/messages.history/${maryRoom}?token=${maryToken}`);
    assert.ok(!hist.messages.some((m) => m.msg.includes('Second order')), 'no note in the visitor history');
  });

  // 6. Visitor panel.
  await step(bob, 'visitor-panel', async () => {
    const panel = region(bob, 'Visitor');
    await panel.getByRole('heading', { name: 'Mary Visitor' }).waitFor();
    for (const label of ['Chat started', 'Waited', 'First response']) await panel.getByText(label).waitFor();
    const first = panel.locator('dt', { hasText: 'First response' }).locator('xpath=following-sibling::dd[1]');
    assert.notEqual((await first.textContent()).trim(), '—', 'Bob has answered');
  });
  await step(bob, 'visitor-panel-details', async () => {
    await h.rest(server.url, 'POST', 'livechat/custom.field', { token: maryToken, key: 'company', value: 'ACME', overwrite: true });
    // A page Mary opens now, as the widget reports it (its report of the page it loaded on
    // races with its own start-up and is not always sent).
    await h.rest(server.url, 'POST', 'livechat/page.visited', {
      token: maryToken, rid: maryRoom,
      pageInfo: { change: 'url', title: 'Order status', location: { href: `${server.url}/orders/42` } },
    });
    await bob.reload();
    const panel = region(bob, 'Visitor');
    await panel.getByText('mary@e2e.test').waitFor();
    await panel.getByText('ACME').waitFor();
    await panel.locator('.pages li').filter({ hasText: 'Order status' }).waitFor();
  });

  // 7. Actions: transfer with a comment (only valid targets), return to queue, transcript, close.
  const aliceTransferAlerts = await alerts(alice);
  await step(bob, 'transfer-dialog', async () => {
    await conversation(bob).getByRole('button', { name: 'Transfer' }).click();
    const dialog = bob.getByRole('dialog', { name: 'Transfer chat' });
    await dialog.waitFor();
    const agents = dialog.getByLabel('Agent');
    await agents.locator('option', { hasText: 'alice' }).waitFor({ state: 'attached' });
    const options = await agents.locator('option').allTextContents();
    assert.ok(!options.some((o) => o.includes('bob')), `not oneself: ${options}`);
    assert.ok(!options.some((o) => o.includes('carol')), `not an unavailable agent: ${options}`);
    await dialog.getByLabel('Department').waitFor();
    await agents.selectOption({ label: 'Alice Agent (alice)' });
    await dialog.getByLabel('Comment').fill('Alice knows billing');
  });
  await step(alice, 'transferred', async () => {
    await bob.getByRole('dialog', { name: 'Transfer chat' }).getByRole('button', { name: 'Transfer' }).click();
    await chatItem(bob, 'Mary Visitor').waitFor({ state: 'detached' });
    await chatItem(alice, 'Mary Visitor').waitFor();
    const a = await alerts(alice);
    assert.ok(a.sounds > aliceTransferAlerts.sounds, 'the transferred chat alerts its new agent');
    await chatItem(alice, 'Mary Visitor').getByRole('link').click();
    await conversation(alice).getByText(/transferred the chat to .*Alice knows billing/).waitFor();
  });
  await step(alice, 'return-to-queue', async () => {
    await chatItem(alice, 'Victor Visitor').getByRole('link').click();
    await conversation(alice).getByRole('button', { name: 'Return to queue' }).click();
    await chatItem(alice, 'Victor Visitor').waitFor({ state: 'detached' });
    await queueItem(bob, 'Victor Visitor').waitFor();
    await queueItem(bob, 'Victor Visitor').getByRole('button', { name: 'Take' }).click();
    await chatItem(bob, 'Victor Visitor').waitFor();
    await queueItem(alice, 'Victor Visitor').waitFor({ state: 'detached' });
  });
  await step(alice, 'request-transcript', async () => {
    await chatItem(alice, 'Mary Visitor').getByRole('link').click();
    await conversation(alice).getByRole('button', { name: 'Request transcript' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Request transcript' });
    await dialog.getByLabel('E-mail').fill('mary@e2e.test');
    await dialog.getByRole('button', { name: 'Request transcript' }).click();
    await dialog.waitFor({ state: 'detached' });
    const { rooms } = await h.rest(server.url, 'GET', 'livechat/rooms?open=true', null, admin);
    assert.equal(rooms.find((r) => r._id === maryRoom).transcriptRequest.email, 'mary@e2e.test');
  });
  await step(alice, 'transcript-email-prefilled', async () => {
    await conversation(alice).getByRole('button', { name: 'Request transcript' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Request transcript' });
    try {
      await alice.waitForFunction(() => document.querySelector('dialog input[type=email]')?.value === 'mary@e2e.test');
    } finally {
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    }
  });
  await step(alice, 'close-requires-comment', async () => {
    await conversation(alice).getByRole('button', { name: 'Close chat' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Close chat' });
    await dialog.getByRole('button', { name: 'Close chat' }).click();
    await dialog.getByText('Please add a comment.').waitFor();
    await dialog.getByLabel('Comment').fill('Resolved, refund issued');
    await dialog.getByRole('button', { name: 'Close chat' }).click();
    await chatItem(alice, 'Mary Visitor').waitFor({ state: 'detached' });
    await mary.frame.getByText('Thanks for talking with us').waitFor();
  });

  // A department that asks for a tag before a chat is closed (upstream's requestTagBeforeClosingChat).
  await step(alice, 'close-requires-tag', async () => {
    const { department } = await h.rest(server.url, 'POST', 'livechat/department', {
      department: { enabled: true, name: 'Claims', email: 'claims@e2e.test', showOnRegistration: false, showOnOfflineForm: false,
        requestTagBeforeClosingChat: true, chatClosingTags: ['claim'] },
      agents: [{ agentId: ids.alice, username: 'alice', count: 0, order: 0 }],
    }, admin);
    await h.rest(server.url, 'POST', 'livechat/visitor', { visitor: { token: 'tess-token', name: 'Tess Tagged', department: department._id } });
    const { room } = await h.rest(server.url, 'GET', 'livechat/room?token=tess-token');
    await visitorSays(server, 'tess-token', room._id, 'My parcel arrived broken');
    // the workspace learns its departments when it loads
    await alice.reload();
    await region(alice, 'Queue').waitFor();
    await queueItem(alice, 'Tess Tagged').getByRole('button', { name: 'Take' }).click();
    const conv = conversation(alice);
    await conv.getByText('My parcel arrived broken').waitFor();
    await conv.getByRole('button', { name: 'Close chat' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Close chat' });
    await dialog.getByLabel('Comment').fill('Replacement sent');
    await dialog.getByRole('button', { name: 'Close chat' }).click();
    await dialog.getByRole('alert').getByText('This department asks for a tag before a chat is closed.').waitFor();
    await dialog.getByRole('group', { name: /Tags/ }).getByLabel('refund').check();
    await dialog.getByRole('button', { name: 'Close chat' }).click();
    await chatItem(alice, 'Tess Tagged').waitFor({ state: 'detached' });
    const { rooms } = await h.rest(server.url, 'GET', 'livechat/rooms?open=false', null, admin);
    assert.deepEqual(rooms.find((r) => r._id === room._id).tags.sort(), ['claim', 'refund'], 'the chosen tag and the department closing tag');
  });

  // 8. History: closed chats, searchable, a read-only transcript.
  await step(alice, 'history', async () => {
    await alice.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'History' }).click();
    const list = region(alice, 'History');
    await list.getByRole('searchbox', { name: 'Search chats' }).waitFor();
    await list.getByRole('listitem').filter({ hasText: 'Mary Visitor' }).getByRole('link').click();
    const conv = conversation(alice);
    await conv.getByText('Hello, I need help with my order').waitFor();
    await conv.getByText('Chat closed: Resolved, refund issued').waitFor();
    await conv.getByText(/transferred the chat to/).waitFor();
    assert.equal(await conv.getByRole('textbox', { name: 'Message', exact: true }).count(), 0, 'read-only');
  });
  await step(alice, 'history-search', async () => {
    const list = region(alice, 'History');
    const box = list.getByRole('searchbox', { name: 'Search chats' });
    await box.fill('refund');
    await box.press('Enter');
    await list.getByRole('listitem').filter({ hasText: 'Mary Visitor' }).waitFor();
    await box.fill('no-such-chat-zzz');
    await box.press('Enter');
    await list.getByText('No closed chats found.').waitFor();
    await box.fill('');
    await box.press('Enter');
  });
  await step(alice, 'earlier-chats', async () => {
    // Mary comes back: her earlier chat is one click away, read-only.
    await h.rest(server.url, 'POST', 'settings/Livechat_Routing_Method', { value: 'Auto_Selection' }, admin);
    const f = widget(visitor);
    await f.getByRole('button', { name: 'New Chat' }).click();
    const input = f.locator('[contenteditable="true"]');
    await input.click();
    await input.pressSequentially('Me again!');
    await input.press('Enter');
    await h.rest(server.url, 'POST', 'settings/Livechat_Routing_Method', { value: 'Manual_Selection' }, admin);
    await alice.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Chats' }).click();
    // Alice served (and closed) the earlier chat, so she may open it: the new one goes to her.
    const again = (await widgetStore(visitor, server)).room._id;
    const served = await h.rest(server.url, 'GET', `rooms.info?roomId=${again}`, null, admin);
    if (served.room?.servedBy?._id !== ids.alice) {
      await h.rest(server.url, 'POST', 'livechat/room.forward', { roomId: again, userId: ids.alice }, admin);
    }
    const who = alice;
    await chatItem(who, 'Mary Visitor').waitFor();
    await chatItem(who, 'Mary Visitor').getByRole('link').click();
    await region(who, 'Visitor').locator('.earlier a').first().click();
    await conversation(who).getByText('Chat closed: Resolved, refund issued').waitFor();
  });
  // Whatever the steps above left open (an earlier chat, the history), both agents are back
  // on their chats.
  for (const agent of [alice, bob]) {
    await agent.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Chats' }).click();
    await region(agent, 'Queue').waitFor();
  }

  // 9. Never silently dead: the server restarts mid-conversation.
  await chatItem(bob, 'Victor Visitor').getByRole('link').click();
  // Chats that start while no agent is connected wait in the queue.
  await h.rest(server.url, 'POST', 'settings/Livechat_accept_chats_with_no_agents', { value: true }, admin);
  await step(bob, 'connection-lost-banner', async () => {
    restart.down = true;
    await server.stop();
    await bob.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await alice.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
  });
  await step(bob, 'reconnected-exactly-right', async () => {
    await server.start();
    restart.down = false;
    restart.settledAt = Date.now() + 5000;
    // What happens before the workspaces are back: they must catch up.
    await visitorSays(server, victorToken, victorRoom, 'sent while you were away');
    await h.rest(server.url, 'POST', 'livechat/visitor', { visitor: { token: 'rita-token', name: 'Rita Restart' } });
    const { room } = await h.rest(server.url, 'GET', 'livechat/room?token=rita-token');
    await visitorSays(server, 'rita-token', room._id, 'Hello after the restart');
    await bob.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ state: 'detached' });
    await alice.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ state: 'detached' });
    const conv = conversation(bob);
    await conv.getByText('sent while you were away').waitFor();
    await queueItem(alice, 'Rita Restart').waitFor();
    await queueItem(bob, 'Rita Restart').waitFor();
    await h.sleep(500);
    assert.equal(await conv.getByText('sent while you were away').count(), 1, 'nothing twice');
    assert.equal(await conv.getByText('numbered message 60', { exact: true }).count(), 1, 'nothing twice');
    assert.equal(await queueItem(alice, 'Rita Restart').count(), 1);
    assert.equal(await chatItem(bob, 'Victor Visitor').count(), 1);
    assert.equal(await chatItem(alice, 'Victor Visitor').count(), 0);
    // and the conversation goes on both ways
    await conv.getByRole('textbox', { name: 'Message', exact: true }).fill('Still here after the restart');
    await conv.getByRole('button', { name: 'Send' }).click();
    await victor.frame.getByText('Still here after the restart').waitFor();
    await victor.input.click();
    await victor.input.pressSequentially('Great, thanks');
    await victor.input.press('Enter');
    await conv.getByText('Great, thanks').waitFor();
  });

  // 10. A phone: lists and conversation one at a time.
  const P = await openPage(browser, server, 'phone', { width: 375, height: 740 });
  const phone = P.page;
  await step(phone, 'phone-lists', async () => {
    await signIn(phone, server, 'alice', 'alice-pass');
    await region(phone, 'My chats').waitFor();
    assert.equal(await conversation(phone).isVisible(), false);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling (${width})`);
  });
  await step(phone, 'phone-conversation', async () => {
    await queueItem(phone, 'Rita Restart').getByRole('button', { name: 'Take' }).click();
    await conversation(phone).getByText('Hello after the restart').waitFor();
    assert.equal(await region(phone, 'Queue').isVisible(), false, 'one at a time');
    const box = conversation(phone).getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('Hi Rita!');
    await box.press('Enter');
    await conversation(phone).locator('article.mine').filter({ hasText: 'Hi Rita!' }).waitFor();
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling (${width})`);
  });
  await step(phone, 'phone-back', async () => {
    await conversation(phone).getByRole('button', { name: 'Back' }).click();
    await chatItem(phone, 'Rita Restart').waitFor();
    assert.equal(await conversation(phone).isVisible(), false);
  });

  // 1 (end). Sign out.
  await step(bob, 'sign-out', async () => {
    await bob.getByRole('button', { name: 'Sign out' }).click();
    await bob.getByRole('button', { name: 'Sign in' }).waitFor();
    await bob.reload();
    await bob.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  // The README's demo: the admin becomes an agent from the workspace, no curl.
  const M = await openPage(browser, server, 'admin');
  await step(M.page, 'admin-becomes-agent', async () => {
    await signIn(M.page, server, 'admin', 'admin');
    await M.page.getByRole('button', { name: 'Answer chats as an agent' }).click();
    await M.page.locator('[role="switch"][aria-checked="true"]').waitFor();
    await M.page.getByRole('switch', { name: 'Available' }).waitFor();
  });

  fs.writeFileSync(path.join(h.ARTIFACTS, 'agent-timings.json'), JSON.stringify(timings, null, 2));
  console.log(`timings (ms): ${JSON.stringify(timings)}`);
  if (TIMING) {
    for (const k of ['newChatInQueue', 'takenLeavesOtherQueues', 'routedChatInMyChats', 'newMessageInConversation']) {
      assert.ok(timings[k] <= 1000, `${k}: ${timings[k]} ms > 1 s`);
    }
    assert.ok(timings.reloadToUsable <= 1000, `usable after ${timings.reloadToUsable} ms > 1 s`);
    assert.ok(timings.availabilityToWidgetOnline <= 2000, `availability: ${timings.availabilityToWidgetOnline} ms > 2 s`);
  }
  const problems = [A, B, V, V2, P, M].flatMap((x) => x.problems);
  assert.deepEqual(problems, [], 'no page errors, no failed requests to the server');
}

h.runAll(main);
