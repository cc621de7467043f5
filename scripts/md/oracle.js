#!/usr/bin/env node
// Minimal oracle: JSON lines {"id"?, "msg", "options"?} in, {"id"?, "md"|"error"} out,
// using the real @rocket.chat/message-parser from $MP_NODE_MODULES.
'use strict';
if (!process.env.TZ) process.env.TZ = 'UTC';
const path = require('path');
const readline = require('readline');
const parser = require(path.join(process.env.MP_NODE_MODULES, '@rocket.chat', 'message-parser'));
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  const input = JSON.parse(line);
  let out;
  try {
    out = { md: parser.parse(input.msg, input.options) };
  } catch (e) {
    out = { error: String(e && e.message ? e.message : e) };
  }
  if (input.id !== undefined) out = { id: input.id, ...out };
  process.stdout.write(JSON.stringify(out) + '\n');
});
