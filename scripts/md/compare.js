#!/usr/bin/env node
// compare.js INPUT EXPECTED GOT: byte-compares output lines, reports per option set.
'use strict';
const fs = require('fs');
const [inF, expF, gotF] = process.argv.slice(2);
const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.length);
const ins = read(inF), exp = read(expF), got = read(gotF);
const stats = {};
const diffs = [];
for (let i = 0; i < ins.length; i++) {
  const set = JSON.parse(ins[i]).id.split('#')[0];
  stats[set] = stats[set] || { total: 0, diff: 0 };
  stats[set].total++;
  if (exp[i] !== got[i]) {
    stats[set].diff++;
    diffs.push(i);
  }
}
let total = 0, bad = 0;
for (const [k, v] of Object.entries(stats)) {
  console.log(`${k}: ${v.total} inputs, ${v.diff} differences`);
  total += v.total; bad += v.diff;
}
console.log(`total: ${total} inputs, ${bad} differences`);
for (const i of diffs.slice(0, Number(process.env.MD_DIFF_SHOW || 10))) {
  console.log('--- input:    ' + ins[i]);
  console.log('    expected: ' + exp[i]);
  console.log('    got:      ' + got[i]);
}
process.exit(bad ? 1 : 0);
