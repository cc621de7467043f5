// The manager console (/agent/manage) in headless Chromium: from a fresh install to a
// working team with no curl. The admin signs in, creates two agents and a department with
// them, sets the routing, the widget's title and colour (checked in the live preview and in
// the real widget's config), a trigger, a custom field, a webhook (with its test call) and
// the mail server (with a test mail), copies the embed snippet into a page on another
// origin; a visitor chats there in the real widget; one of the new agents signs in, answers
// and closes. Then the agent is shown no console, and the console works at phone width.
//
// The accessible names below are a contract (README, "The manager console"):
//   link "Manage" in navigation "Areas" (managers and admins only)
//   main "Manager console"; navigation "Console sections", its links: Agents, Managers,
//     Departments, Canned responses, Tags, Business hours, Settings (admins), Widget, Triggers,
//     Custom fields, Webhooks, E-mail (admins), Embed
//   each section: a region named by its heading (level 1)
//   Agents: form "New agent" (Name, Username, E-mail, Password, group "Departments",
//     button "Create agent"); form "Existing user as agent" (button "Add agent"); table "Agents",
//     buttons "Edit <username>", "Remove <username>"; dialog "Agent <username>" (group
//     "Departments", Most simultaneous chats…, "Save")
//   Managers: form "New manager" (Username, "Add manager"); table "Managers"; "Remove <username>"
//   Departments: button "New department"; dialog "New department" / "Edit department <name>"
//     (Enabled, Name, Description, E-mail, Shown on the registration form, Shown on the offline
//     form, group "Agents", Fallback department, Most simultaneous chats per agent…, group
//     "Departments chats may be forwarded to", Ask for a tag before closing, Closing tags…,
//     button "Save department"); table "Departments"; "Edit <name>", "Delete <name>"
//   Canned responses: button "New canned response"; form "New canned response" / "Edit canned
//     response <shortcut>" (Shortcut, Text, Scope, Department, group "Tags", "Save canned
//     response"); searchbox "Search canned responses"; table "Canned responses"; "Edit <shortcut>",
//     "Delete <shortcut>"
//   Tags: button "New tag"; form "New tag" / "Edit tag <name>" (Name, Description, group
//     "Departments (none: every chat)", "Save tag"); searchbox "Search tags"; table "Tags";
//     "Edit <name>", "Delete <name>"
//   Business hours: form "Business hours" (Business hours on… (admins), Timezone, a group per
//     weekday "Monday"…"Sunday" with Open, Opens, Closes; button "Save business hours")
//   Settings: form "Livechat settings" (Livechat enabled…, Routing method, Most simultaneous
//     chats per agent…, Accept chats when no agent is online…, Ask agents for a comment when
//     they close a chat, Allowed domains…, button "Save settings")
//   Widget: form "Widget appearance" (Title, Title colour, Position, groups "Registration form",
//     "Offline form", "End of the chat", button "Save widget"); iframe "Widget preview"
//   Triggers: button "New trigger"; form "New trigger" (Name, Condition, Condition value,
//     Sender, Message, "Save trigger"); table "Triggers"
//   Custom fields: button "New custom field"; form "New custom field" (Field (its id), Label,
//     Scope, "Save custom field"); table "Custom fields"
//   Webhooks: form "Webhook" (Webhook URL, Secret token…, group "Events", "Send a test",
//     "Save webhook")
//   E-mail: form "Mail server" (Host, Port, From, "Save mail server", "Send a test mail")
//   Embed: textbox "Embed snippet", button "Copy snippet", iframe "Widget preview"
//   every save's outcome: a status ("Saved." …) or an alert with the server's error
// Env: FERROCHAT_BIN, AGENT_APP_DIR and LIVECHAT_WIDGET_DIR (required), CHROMIUM, ARTIFACTS_DIR.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const h = require('./harness');

if (!process.env.AGENT_APP_DIR) throw new Error('AGENT_APP_DIR is required');
if (!process.env.LIVECHAT_WIDGET_DIR) throw new Error('LIVECHAT_WIDGET_DIR is required');

const timings = {};

async function step(page, name, fn) {
  const t0 = Date.now();
  try {
    const out = await fn();
    timings[name] = Date.now() - t0;
    await h.screenshot(page, `console-${name}`);
    console.log(`OK      ${name} (${timings[name]} ms)`);
    return out;
  } catch (e) {
    await page.screenshot({ path: path.join(h.ARTIFACTS, `FAILED-console-${name}.png`) }).catch(() => {});
    console.log(`FAIL    ${name}: ${e.message}`);
    throw e;
  }
}

async function openPage(browser, server, label, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['notifications', 'clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  page.setDefaultTimeout(h.STEP_MS);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`${label} pageerror: ${e.message}`));
  page.on('response', (r) => {
    const url = r.url();
    if (!url.startsWith(server.url) || r.status() < 400 || url.includes('/sounds/')) return;
    problems.push(`${label}: ${r.status()} ${r.request().method()} ${url}`);
  });
  return { page, problems };
}

async function signIn(page, server, user, password) {
  await page.goto(`${server.url}/agent`);
  await page.getByLabel('Username or e-mail').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('region', { name: 'Queue', exact: true }).waitFor();
}

const consoleMain = (page) => page.getByRole('main', { name: 'Manager console' });
async function openSection(page, name) {
  await consoleMain(page).getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();
  const section = consoleMain(page).getByRole('region', { name, exact: true });
  await section.getByRole('heading', { name, level: 1 }).waitFor();
  return section;
}
// The preview's header shows this colour (the widget sets it through CSS).
async function headerColour(page, rgb) {
  const frame = page.frames().find((f) => f.url().includes('/livechat?mode=popout'));
  await frame.waitForFunction(
    (want) => [...document.querySelectorAll('header')].some((e) => getComputedStyle(e).backgroundColor === want),
    rgb,
  );
}
const saved = (scope, text = 'Saved.') => scope.getByRole('status').filter({ hasText: text }).first().waitFor();

// A website on another origin: the snippet the admin copied, as it was copied.
async function startHostPage(snippet) {
  const port = await h.freePort();
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>ACME</title></head>
<body style="font-family:sans-serif"><h1>ACME Corp</h1><p>Our website, with the snippet from the console.</p>
${snippet}
</body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  h.cleanups.push(() => server.close());
  return `http://127.0.0.1:${port}/`;
}

// The CRM: records each webhook call with its secret header.
async function startReceiver() {
  const port = await h.freePort();
  const hits = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ token: req.headers['x-rocketchat-livechat-token'], body: JSON.parse(body || '{}') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  h.cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${port}/hook`, hits };
}

// A mail server that accepts everything and keeps it.
async function startSmtp() {
  const port = await h.freePort();
  const mails = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let data = false;
    let mail = '';
    const reply = (s) => socket.write(`${s}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data) {
          if (line === '.') {
            data = false;
            mails.push(mail);
            mail = '';
            reply('250 OK: queued');
          } else mail += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-sink\r\n250 8BITMIME');
        else if (verb === 'DATA') {
          data = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
        } else reply('250 OK');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  h.cleanups.push(() => server.close());
  return { port, mails };
}

async function main() {
  const server = await h.startServer('console', { TEST_MODE: 'true', ADMIN_EMAIL: 'admin@e2e.test' });
  const browser = await h.launch();
  const A = await openPage(browser, server, 'admin');
  const admin = A.page;
  const adminApi = await h.login(server.url, 'admin', 'admin');

  await step(admin, 'admin-signs-in', async () => {
    await signIn(admin, server, 'admin', 'admin');
    await admin.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Manage' }).click();
    await consoleMain(admin).getByRole('navigation', { name: 'Console sections' }).waitFor();
    assert.equal(new URL(admin.url()).pathname, '/agent/manage');
  });

  const agents = await openSection(admin, 'Agents');
  await step(admin, 'create-two-agents', async () => {
    const form = agents.getByRole('form', { name: 'New agent' });
    for (const [name, username] of [['Ann Agent', 'ann'], ['Ben Agent', 'ben']]) {
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Username', { exact: true }).fill(username);
      await form.getByLabel('E-mail', { exact: true }).fill(`${username}@e2e.test`);
      await form.getByLabel('Password', { exact: true }).fill(`${username}-pass`);
      await form.getByRole('button', { name: 'Create agent' }).click();
      await saved(form, `${username} is an agent now.`);
      await agents.getByRole('table', { name: 'Agents' }).getByRole('row').filter({ hasText: `${name} (${username})` }).waitFor();
    }
    const listed = await h.rest(server.url, 'GET', 'livechat/users/agent', null, adminApi);
    assert.deepEqual(listed.users.map((u) => u.username).sort(), ['ann', 'ben']);
  });

  const depts = await openSection(admin, 'Departments');
  await step(admin, 'create-department', async () => {
    await depts.getByRole('button', { name: 'New department' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New department' });
    await dialog.getByLabel('Name', { exact: true }).fill('Support');
    await dialog.getByLabel('E-mail', { exact: true }).fill('support@e2e.test');
    const members = dialog.getByRole('group', { name: 'Agents' });
    await members.getByLabel('Ann Agent (ann)').check();
    await members.getByLabel('Ben Agent (ben)').check();
    await dialog.getByLabel(/Most simultaneous chats/).fill('3');
    await h.screenshot(admin, 'console-department-form');
    await dialog.getByRole('button', { name: 'Save department' }).click();
    await dialog.waitFor({ state: 'detached' });
    await depts.getByRole('table', { name: 'Departments' }).getByRole('row').filter({ hasText: 'Support' }).getByText('2', { exact: true }).waitFor();
    const { departments } = await h.rest(server.url, 'GET', 'livechat/department', null, adminApi);
    assert.equal(departments.length, 1);
    assert.equal(departments[0].maxNumberSimultaneousChat, 3);
    const { agents: members2 } = await h.rest(server.url, 'GET', `livechat/department/${departments[0]._id}/agents`, null, adminApi);
    assert.deepEqual(members2.map((a) => a.username).sort(), ['ann', 'ben']);
  });
  await step(admin, 'agents-show-departments', async () => {
    const section = await openSection(admin, 'Agents');
    const row = section.getByRole('table', { name: 'Agents' }).getByRole('row').filter({ hasText: 'Ann Agent' });
    await row.getByText('Support').waitFor();
  });

  await step(admin, 'agent-chat-limit', async () => {
    const section = await openSection(admin, 'Agents');
    await section.getByRole('button', { name: 'Edit ann' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Agent ann' });
    await dialog.getByLabel(/Most simultaneous chats/).fill('2');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = section.getByRole('table', { name: 'Agents' }).getByRole('row').filter({ hasText: 'Ann Agent' });
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await row.getByText('Support').waitFor();
    const { users } = await h.rest(server.url, 'GET', 'livechat/users/agent', null, adminApi);
    const ann = users.find((u) => u.username === 'ann');
    assert.equal(ann.livechat.maxNumberSimultaneousChat, 2);
    assert.equal(ann.departments.length, 1, 'the departments stay');
  });

  await step(admin, 'settings', async () => {
    const section = await openSection(admin, 'Settings');
    const form = section.getByRole('form', { name: 'Livechat settings' });
    await form.getByLabel('Routing method').selectOption('Auto_Selection');
    await form.getByLabel(/Most simultaneous chats per agent/).fill('4');
    await form.getByLabel('Ask agents for a comment when they close a chat').check();
    await form.getByRole('button', { name: 'Save settings' }).click();
    await saved(form);
    const s = await h.rest(server.url, 'GET', 'settings/Livechat_maximum_chats_per_agent', null, adminApi);
    assert.equal(s.value, 4);
    const c = await h.rest(server.url, 'GET', 'settings/Livechat_request_comment_when_closing_conversation', null, adminApi);
    assert.equal(c.value, true);
  });

  // Nobody is available yet: the preview shows the offline form, whose title follows live.
  await step(admin, 'widget-title-and-colour', async () => {
    const section = await openSection(admin, 'Widget');
    const form = section.getByRole('form', { name: 'Widget appearance' });
    const preview = section.frameLocator('iframe[title="Widget preview"]');
    await preview.getByText('Leave a message').first().waitFor();
    await form.getByLabel('Offline title', { exact: true }).fill('ACME is away');
    await preview.locator('header').getByText('ACME is away').waitFor();
    await form.getByLabel('Title', { exact: true }).fill('ACME Support');
    await form.getByLabel('Title colour', { exact: true }).fill('#0a7d32');
    await form.getByRole('button', { name: 'Save widget' }).click();
    await saved(form);
    const { config } = await h.rest(server.url, 'GET', 'livechat/config');
    assert.equal(config.theme.title, 'ACME Support');
    assert.equal(config.theme.color, '#0a7d32');
    assert.equal(config.theme.offlineTitle, 'ACME is away');
  });

  await step(admin, 'trigger', async () => {
    const section = await openSection(admin, 'Triggers');
    await section.getByRole('button', { name: 'New trigger' }).click();
    const form = section.getByRole('form', { name: 'New trigger' });
    await form.getByLabel('Name', { exact: true }).fill('Welcome');
    await form.getByLabel('Condition', { exact: true }).selectOption('page-url');
    await form.getByLabel('Condition value', { exact: true }).fill('/pricing');
    await form.getByLabel('Message').fill('Hi! How can we help?');
    await form.getByRole('button', { name: 'Save trigger' }).click();
    await section.getByRole('table', { name: 'Triggers' }).getByRole('row').filter({ hasText: 'Welcome' }).waitFor();
    const { triggers } = await h.rest(server.url, 'GET', 'livechat/triggers', null, adminApi);
    assert.equal(triggers[0].actions[0].params.msg, 'Hi! How can we help?');
    assert.deepEqual(triggers[0].conditions, [{ name: 'page-url', value: '/pricing' }]);
  });

  await step(admin, 'custom-field', async () => {
    const section = await openSection(admin, 'Custom fields');
    await section.getByRole('button', { name: 'New custom field' }).click();
    const form = section.getByRole('form', { name: 'New custom field' });
    await form.getByLabel('Field (its id)').fill('order');
    await form.getByLabel('Label', { exact: true }).fill('Order number');
    await form.getByLabel('Scope').selectOption('room');
    await form.getByRole('button', { name: 'Save custom field' }).click();
    await section.getByRole('table', { name: 'Custom fields' }).getByRole('row').filter({ hasText: 'Order number' }).waitFor();
  });

  // The team's tag and canned response (the agent uses both in the workspace later).
  await step(admin, 'tag', async () => {
    const section = await openSection(admin, 'Tags');
    await section.getByRole('button', { name: 'New tag' }).click();
    const form = section.getByRole('form', { name: 'New tag' });
    await form.getByLabel('Name', { exact: true }).fill('vip');
    await form.getByLabel('Description', { exact: true }).fill('Important customer');
    await form.getByRole('button', { name: 'Save tag' }).click();
    await form.waitFor({ state: 'detached' });
    const row = section.getByRole('table', { name: 'Tags' }).getByRole('row').filter({ hasText: 'vip' });
    await row.getByText('Important customer').waitFor();
    const { tags } = await h.rest(server.url, 'GET', 'livechat/tags?viewAll=true', null, adminApi);
    assert.deepEqual(tags.map((t) => [t.name, t.description, t.departments]), [['vip', 'Important customer', []]]);
  });

  await step(admin, 'canned-response', async () => {
    const section = await openSection(admin, 'Canned responses');
    await section.getByRole('button', { name: 'New canned response' }).click();
    const form = section.getByRole('form', { name: 'New canned response' });
    await form.getByLabel('Shortcut', { exact: true }).fill('greet');
    await form.getByLabel('Text', { exact: true }).fill('Hello! How can I help you today?');
    await form.getByLabel('Scope', { exact: true }).selectOption('global');
    await form.getByRole('group', { name: 'Tags' }).getByLabel('vip').check();
    await form.getByRole('button', { name: 'Save canned response' }).click();
    await form.waitFor({ state: 'detached' });
    const table = section.getByRole('table', { name: 'Canned responses' });
    await table.getByRole('row').filter({ hasText: '!greet' }).getByText('Hello! How can I help you today?').waitFor();
    // the search narrows the list
    await section.getByRole('searchbox', { name: 'Search canned responses' }).fill('nothing like it');
    await section.getByText('No canned response matches.').waitFor();
    await section.getByRole('searchbox', { name: 'Search canned responses' }).fill('help you');
    await table.getByRole('row').filter({ hasText: '!greet' }).waitFor();
    const { cannedResponses } = await h.rest(server.url, 'GET', 'canned-responses', null, adminApi);
    assert.deepEqual(
      cannedResponses.map((c) => [c.shortcut, c.text, c.scope, c.tags]),
      [['greet', 'Hello! How can I help you today?', 'global', ['vip']]],
    );
  });

  await step(admin, 'business-hours', async () => {
    let section = await openSection(admin, 'Business hours');
    let form = section.getByRole('form', { name: 'Business hours' });
    await form.getByLabel(/^Business hours on/).check();
    await form.getByLabel('Timezone', { exact: true }).selectOption('Europe/Berlin');
    const sat = form.getByRole('group', { name: 'Saturday' });
    await sat.getByLabel('Open', { exact: true }).check();
    await sat.getByLabel('Opens', { exact: true }).fill('10:00');
    await sat.getByLabel('Closes', { exact: true }).fill('14:00');
    const mon = form.getByRole('group', { name: 'Monday' });
    await mon.getByLabel('Opens', { exact: true }).fill('09:00');
    await mon.getByLabel('Closes', { exact: true }).fill('17:30');
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await saved(form);
    // after a reload the console shows what the server keeps
    await admin.reload();
    section = consoleMain(admin).getByRole('region', { name: 'Business hours', exact: true });
    form = section.getByRole('form', { name: 'Business hours' });
    await form.waitFor();
    assert.equal(await form.getByLabel(/^Business hours on/).isChecked(), true);
    assert.equal(await form.getByLabel('Timezone', { exact: true }).inputValue(), 'Europe/Berlin');
    const sat2 = form.getByRole('group', { name: 'Saturday' });
    assert.equal(await sat2.getByLabel('Open', { exact: true }).isChecked(), true);
    assert.equal(await sat2.getByLabel('Opens', { exact: true }).inputValue(), '10:00');
    assert.equal(await sat2.getByLabel('Closes', { exact: true }).inputValue(), '14:00');
    const mon2 = form.getByRole('group', { name: 'Monday' });
    assert.equal(await mon2.getByLabel('Opens', { exact: true }).inputValue(), '09:00');
    assert.equal(await mon2.getByLabel('Closes', { exact: true }).inputValue(), '17:30');
    assert.equal(await form.getByRole('group', { name: 'Sunday' }).getByLabel('Open', { exact: true }).isChecked(), false);
    const { businessHour } = await h.rest(server.url, 'GET', 'livechat/business-hour', null, adminApi);
    assert.equal(businessHour.timezone.name, 'Europe/Berlin');
    const day = (d) => businessHour.workHours.find((w) => w.day === d);
    assert.deepEqual([day('Saturday').open, day('Saturday').start.time, day('Saturday').finish.time], [true, '10:00', '14:00']);
    assert.deepEqual([day('Monday').start.time, day('Monday').finish.time], ['09:00', '17:30']);
    let s = await h.rest(server.url, 'GET', 'settings/Livechat_enable_business_hours', null, adminApi);
    assert.equal(s.value, true);
    // off again: the rest of this test must not depend on the clock
    await form.getByLabel(/^Business hours on/).uncheck();
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await saved(form);
    s = await h.rest(server.url, 'GET', 'settings/Livechat_enable_business_hours', null, adminApi);
    assert.equal(s.value, false);
  });

  const crm = await startReceiver();
  await step(admin, 'webhook-and-test', async () => {
    const section = await openSection(admin, 'Webhooks');
    const form = section.getByRole('form', { name: 'Webhook' });
    await form.getByLabel('Webhook URL').fill(crm.url);
    await form.getByLabel(/Secret token/).fill('crm-secret');
    await form.getByRole('group', { name: 'Events' }).getByLabel('A chat is closed').check();
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await saved(form);
    await form.getByRole('button', { name: 'Send a test' }).click();
    await saved(form, 'The webhook answered 200 OK.');
    assert.equal(crm.hits.length, 1);
    assert.equal(crm.hits[0].token, 'crm-secret');
    assert.equal(crm.hits[0].body.type, 'LivechatSession');
  });

  const smtp = await startSmtp();
  await step(admin, 'mail-server-and-test', async () => {
    const section = await openSection(admin, 'E-mail');
    const form = section.getByRole('form', { name: 'Mail server' });
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await form.getByLabel('From', { exact: true }).fill('ACME Support <support@e2e.test>');
    await form.getByRole('button', { name: 'Save mail server' }).click();
    await saved(form);
    await form.getByRole('button', { name: 'Send a test mail' }).click();
    await saved(form, 'A test mail was sent to admin@e2e.test.');
    assert.equal(smtp.mails.length, 1);
    assert.match(smtp.mails[0], /Subject: SMTP Test Email/);
  });

  // One of the new agents signs in and becomes available.
  const N = await openPage(browser, server, 'ann');
  const ann = N.page;
  await step(ann, 'agent-signs-in', async () => {
    await signIn(ann, server, 'ann', 'ann-pass');
    const sw = ann.getByRole('switch', { name: 'Available' });
    if ((await sw.getAttribute('aria-checked')) !== 'true') await sw.click();
    await ann.locator('[role="switch"][aria-checked="true"]').waitFor();
  });
  await step(ann, 'agent-sees-no-console', async () => {
    assert.equal(await ann.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Manage' }).count(), 0);
    await ann.goto(`${server.url}/agent/manage`);
    await ann.getByRole('alert').getByText('The manager console is for managers and admins.').waitFor();
    await ann.goto(`${server.url}/agent`);
    await ann.getByRole('region', { name: 'Queue', exact: true }).waitFor();
  });

  // With an agent available the preview shows the chat: title and colour follow as typed.
  await step(admin, 'widget-live-preview', async () => {
    const section = await openSection(admin, 'Widget');
    const form = section.getByRole('form', { name: 'Widget appearance' });
    const header = section.frameLocator('iframe[title="Widget preview"]').locator('header').first();
    await header.getByText('ACME Support').waitFor();
    await headerColour(admin, 'rgb(10, 125, 50)');
    await form.getByLabel('Title', { exact: true }).fill('ACME Help Desk');
    await form.getByLabel('Title colour', { exact: true }).fill('#1d5bd8');
    await header.getByText('ACME Help Desk').waitFor();
    await headerColour(admin, 'rgb(29, 91, 216)');
    // not saved: visitors still get the saved look
    const { config } = await h.rest(server.url, 'GET', 'livechat/config');
    assert.equal(config.theme.title, 'ACME Support');
  });

  const snippet = await step(admin, 'copy-embed-snippet', async () => {
    const section = await openSection(admin, 'Embed');
    await section.frameLocator('iframe[title="Widget preview"]').getByText('ACME Support').first().waitFor();
    await section.getByRole('button', { name: 'Copy snippet' }).click();
    await saved(section, 'Copied.');
    const copied = await admin.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await section.getByRole('textbox', { name: 'Embed snippet' }).inputValue());
    assert.ok(copied.includes(`'${server.url}/livechat'`), copied);
    return copied;
  });
  await h.screenshot(admin, 'console-desktop');
  // The README's picture: the widget section with its live preview.
  await openSection(admin, 'Widget');
  await consoleMain(admin).getByRole('region', { name: 'Widget' }).frameLocator('iframe[title="Widget preview"]').getByText('ACME Support').first().waitFor();
  await admin.screenshot({ path: path.join(h.ARTIFACTS, 'console.png') });

  // A visitor on the customer's site (another origin) chats in the real widget.
  const host = await startHostPage(snippet);
  const V = await openPage(browser, server, 'visitor', { width: 1000, height: 760 });
  const visitor = V.page;
  const frame = visitor.frameLocator('#rocketchat-iframe');
  await step(visitor, 'visitor-chats-on-host-page', async () => {
    await visitor.goto(host);
    await frame.locator('[class*="screen__chat-button"]').click();
    await frame.getByText('ACME Support').first().waitFor();
    await frame.locator('input[name="name"]').fill('Vera Visitor');
    await frame.locator('input[name="email"]').fill('vera@e2e.test');
    const dept = frame.locator('select[name="department"]');
    if (await dept.count()) await dept.selectOption({ label: 'Support' });
    await frame.getByRole('button', { name: 'Start chat' }).click();
    const input = frame.locator('[contenteditable="true"]');
    await input.click();
    await input.pressSequentially('Where is my order?');
    await input.press('Enter');
    await frame.getByText('Where is my order?').waitFor();
  });

  // A second tag (over REST: the console's Tags section is tested above) shows that
  // History's tag filter leaves the chat out.
  await h.rest(server.url, 'POST', 'method.call/livechat:saveTag', {
    message: JSON.stringify({ msg: 'method', id: '1', method: 'livechat:saveTag', params: [null, { name: 'billing' }, []] }),
  }, adminApi);

  const conv = ann.getByRole('region', { name: 'Conversation', exact: true });
  const composer = conv.getByRole('textbox', { name: 'Message', exact: true });
  await step(ann, 'agent-answers-with-canned-response', async () => {
    const item = ann.getByRole('region', { name: 'My chats', exact: true }).getByRole('listitem').filter({ hasText: 'Vera Visitor' });
    await item.getByRole('link').click();
    await conv.getByText('Where is my order?').waitFor();
    await composer.click();
    await composer.pressSequentially('!gre');
    const list = conv.getByRole('listbox', { name: 'Canned responses' });
    const greet = list.getByRole('option', { name: /!greet/ });
    await greet.waitFor();
    assert.match(await greet.textContent(), /Hello! How can I help you today\?/);
    assert.equal(await greet.getAttribute('aria-selected'), 'true');
    await h.screenshot(ann, 'console-agent-canned-popup');
    await composer.press('Enter');
    await list.waitFor({ state: 'detached' });
    assert.equal(await composer.inputValue(), 'Hello! How can I help you today?');
    await composer.press('Enter');
    await frame.getByText('Hello! How can I help you today?').waitFor();
  });

  await step(ann, 'agent-writes-internal-note', async () => {
    // The admin has the chat open too: the note reaches that view live.
    await admin.goto(ann.url());
    const adminConv = admin.getByRole('region', { name: 'Conversation', exact: true });
    await adminConv.getByText('Hello! How can I help you today?').waitFor();
    const toggle = conv.getByRole('button', { name: 'Internal note' });
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await composer.fill('Visitor is a returning customer');
    await composer.press('Enter');
    const note = conv.getByRole('article', { name: /^Internal note/ });
    await note.getByText('Visitor is a returning customer').waitFor();
    await note.getByText('Internal note', { exact: true }).waitFor();
    await adminConv.getByRole('article', { name: /^Internal note/ }).getByText('Visitor is a returning customer').waitFor();
    await h.screenshot(admin, 'console-manager-sees-note');
    // back to the visitor: a later message reaches the widget, the note before it never does
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await composer.fill('It ships today, Vera.');
    await conv.getByRole('button', { name: 'Send' }).click();
    await frame.getByText('It ships today, Vera.').waitFor();
    assert.equal(await frame.getByText('Visitor is a returning customer').count(), 0, 'the widget never shows a note');
    const widgetText = await frame.locator('body').innerText();
    assert.ok(!widgetText.includes('returning customer'), widgetText);
  });

  await step(ann, 'agent-tags-and-closes', async () => {
    const tags = conv.getByRole('group', { name: 'Tags' });
    await tags.getByRole('combobox', { name: 'Add tag' }).selectOption('vip');
    await tags.getByRole('button', { name: 'Remove tag vip' }).waitFor();
    await conv.getByRole('button', { name: 'Close chat' }).click();
    const dialog = ann.getByRole('dialog', { name: 'Close chat' });
    await dialog.getByLabel('Comment').fill('Order shipped');
    assert.equal(await dialog.getByRole('group', { name: 'Tags' }).getByLabel('vip').isChecked(), true);
    await h.screenshot(ann, 'console-agent-close-dialog');
    await dialog.getByRole('button', { name: 'Close chat' }).click();
    await ann.getByRole('region', { name: 'My chats', exact: true }).getByRole('listitem').filter({ hasText: 'Vera Visitor' }).waitFor({ state: 'detached' });
    const { rooms } = await h.rest(server.url, 'GET', 'livechat/rooms?open=false', null, adminApi);
    const vera = rooms.find((r) => r.fname === 'Vera Visitor');
    assert.deepEqual(vera.tags, ['vip']);
    // the webhook saw the close
    const closed = () => crm.hits.some((x) => x.body.type === 'LivechatSession' && x.body.visitor?.name === 'Vera Visitor');
    for (let i = 0; i < 200 && !closed(); i++) await h.sleep(100);
    assert.ok(closed(), 'the close reached the CRM');
  });

  await step(ann, 'history-tag-filter', async () => {
    await ann.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'History' }).click();
    const history = ann.getByRole('region', { name: 'History', exact: true });
    const search = history.getByRole('search');
    const row = history.getByRole('listitem').filter({ hasText: 'Vera Visitor' });
    await search.getByLabel('Tag').selectOption('billing');
    await search.getByRole('button', { name: 'Search' }).click();
    await history.getByText('No closed chats found.').waitFor();
    assert.equal(await row.count(), 0);
    await search.getByLabel('Tag').selectOption('vip');
    await search.getByRole('button', { name: 'Search' }).click();
    await row.getByRole('list', { name: 'Tags' }).getByText('vip', { exact: true }).waitFor();
    await row.getByRole('link').click();
    // the transcript shows the note to agents
    await conv.getByRole('article', { name: /^Internal note/ }).getByText('Visitor is a returning customer').waitFor();
  });

  // The console on a phone.
  const P = await openPage(browser, server, 'phone', { width: 390, height: 844 });
  const phone = P.page;
  await step(phone, 'phone-width', async () => {
    await signIn(phone, server, 'admin', 'admin');
    await phone.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Manage' }).click();
    const section = await openSection(phone, 'Departments');
    await section.getByRole('table', { name: 'Departments' }).getByRole('row').filter({ hasText: 'Support' }).waitFor();
    await section.getByRole('button', { name: 'Edit Support' }).click();
    const dialog = phone.getByRole('dialog', { name: 'Edit department Support' });
    await dialog.getByRole('group', { name: 'Agents' }).getByLabel('Ann Agent (ann)').waitFor();
    assert.equal(await dialog.getByRole('group', { name: 'Agents' }).getByLabel('Ann Agent (ann)').isChecked(), true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${width})`);
    for (const name of ['Canned responses', 'Tags', 'Business hours']) {
      await openSection(phone, name);
      const w = await phone.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w <= 390, `${name}: no sideways scrolling (${w})`);
    }
    await h.screenshot(phone, 'console-phone-business-hours');
  });

  fs.writeFileSync(path.join(h.ARTIFACTS, 'console-timings.json'), JSON.stringify(timings, null, 2));
  console.log(`console step timings (ms): ${JSON.stringify(timings)}`);
  const problems = [A, N, V, P].flatMap((x) => x.problems);
  assert.deepEqual(problems, [], 'no page errors, no failed requests to the server');
}

h.runAll(main);
