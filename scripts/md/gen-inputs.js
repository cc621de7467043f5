#!/usr/bin/env node
// Deterministic random message generator for the md differential test.
// Usage: node gen-inputs.js [--seed N] [--n N-per-option-set]
'use strict';
const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
let seed = arg('--seed', 42) >>> 0;
const N = arg('--n', 1500);
function rnd() { // mulberry32
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const MARKUP = ['*', '_', '~', '`', '>', '#', '|', '[', ']', '(', ')', '!', ':', '@', '$', '\\', '-', '+', '.', ',', ' ', ' ', ' ', '\t', '\n', '\n', '\r\n', '<', '=', ';', "'", '"', '/', '%', '^', '0', '1', '9'];
const WORDS = ['a', 'b', 'hello', 'world', 'foo_bar', 'x', 'Test', '123', 'snake_case', 'über', 'naïve', '日本', 'ok', 'D', 'O', 'X', 'B', '8', 'y', 'color'];
const EMOJI = ['😀', '👍', '👍🏽', '❤️', '❤', '🇧🇷', '🇧', '👨‍👩‍👧', '⌚', '☀️', '©', '©️', '1️⃣', '#⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🤖', '🂠', '✅', '⬛', '🟠', '↔️', '🀄️', '🅰️', '\u200d', '\ufe0f'];
const SHORT = [':smile:', ':+1:', ':heart:', ':a-b_c.d:', ':ümlaut:', '::', ':x:'];
const EMOTICONS = [':)', ':-)', ':D', '<3', '</3', ';)', ':(', 'D:', 'B)', '8)', ':P', ':p', 'XD', '-_-', '-__-', '*)', '(y)', 'O:)', ":')", '>:(', '=)', ':/', ':\\', '\\O\\/', '*\\0/*', 'X-P', '%)', '#-)'];
const URLS = ['https://example.com', 'http://x.com/a?b=c#d', 'www.google.com', 'google.com', 'foo.bar', 'readme.md', 'script.js', 'localhost', 'localhost:3000', 'http://localhost:3000/x', 'example.com:8080', '999.999.999.999', '192.168.0.1', 'https://a.com,https://b.com', 'https://example.com/*star*', 'ftp://files.example.org/x.zip', 'gitlab.local', 'http://tool.intranet', 'mailto:a@b.com', 'https://user:pw@host.com:8080/p', 'https://en.wikipedia.org/wiki/Foo_(bar)', 'a.b.c.d', 'xn--80ak6aa92e.com', 'EXAMPLE.COM', 'ex_ample.com', 'http://[::1]/', 'co.uk', 'blogspot.com', 'x.github.io'];
const MENTIONS = ['@user', '@all', '@here', '@user.name', '@user_', '@user__', '@a:b.com', '@@x', '#general', '#a-b', '#日本', '@ünï'];
const EMAILS = ['a@b.com', 'john.doe+tag@example.co.uk', 'git@github.com:org/repo.git', 'x@localhost', 'a@b', 'user@mail.blogspot.com'];
const PHONES = ['+5511999999999', '+1-555-1234', '+(55)11-9999', '+123', '+12345', '+1 555'];
const TIMES = ['<t:1708551317>', '<t:1708551317:R>', '<t:1708551317:x>', '<t:2024-02-21T21:35:17>', '<t:2024-02-21T21:35:17.123+02:00:F>', '<t:2040-01-01T00:00:00+00:00>', '<t:10:00>', '<t:10:00:00:T>', '\\<t:1708551317>', '<t:170855131>'];
const BLOCKS = ['> ', '- ', '* ', '1. ', '- [ ] ', '- [x] ', '# ', '## ', '#### ', '##### ', '```\n', '```js\n', '\n```', '---', '||\n', '\n||', '| a | b |\n|---|:-:|\n| 1 | 2 |', '$$', '\\[', '\\]', '\\(', '\\)', '$', 'color:#f00', 'color:#ff000080', 'color:#abcd ', '[label](https://x.com)', '![alt](http://x/a.png)', '<https://x.com|label>', '[](http://a.b)', '`code`', '||spoiler||', '**bold**', '__it__', '~~st~~'];
function token() {
  const r = rnd();
  if (r < 0.30) return pick(MARKUP);
  if (r < 0.50) return pick(WORDS);
  if (r < 0.56) return pick(EMOJI);
  if (r < 0.60) return pick(SHORT);
  if (r < 0.66) return pick(EMOTICONS);
  if (r < 0.72) return pick(URLS);
  if (r < 0.77) return pick(MENTIONS);
  if (r < 0.80) return pick(EMAILS);
  if (r < 0.83) return pick(PHONES);
  if (r < 0.87) return pick(TIMES);
  return pick(BLOCKS);
}
function message() {
  const len = 1 + Math.floor(rnd() * (rnd() < 0.8 ? 12 : 40));
  let s = '';
  for (let i = 0; i < len; i++) s += token();
  if (rnd() < 0.1) s = pick(EMOJI) + (rnd() < 0.5 ? pick(EMOJI) : '') + (rnd() < 0.3 ? ' ' + pick(EMOTICONS) : '');
  return s;
}
const OPTION_SETS = {
  none: undefined,
  server: { colors: true, emoticons: true, customDomains: [], katex: { dollarSyntax: false, parenthesisSyntax: true } },
  full: { colors: true, emoticons: true, customDomains: ['local', 'intranet'], katex: { dollarSyntax: true, parenthesisSyntax: true } },
  noEmoticonsDollar: { colors: false, emoticons: false, katex: { dollarSyntax: true, parenthesisSyntax: false } },
};
const out = [];
for (const [name, options] of Object.entries(OPTION_SETS)) {
  for (let i = 0; i < N; i++) {
    const line = { id: `${name}#${i}`, msg: message() };
    if (options !== undefined) line.options = options;
    out.push(JSON.stringify(line));
  }
}
process.stdout.write(out.join('\n') + '\n');
