// Builds the agent workspace into dist/: the app's JavaScript and CSS named by their content
// hash (served with a year of caching), the chunks loaded later (the manager console) named
// alike, an index.html that names the app's files (revalidated), and the sizes, raw and
// gzipped, as the build's last lines: what every agent loads first, and each later chunk.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const out = process.env.AGENT_BUILD_OUT || path.join(root, 'dist');
const tmp = `${out}.tmp`;

const result = await esbuild.build({
  entryPoints: [path.join(root, 'src/main.tsx')],
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  outdir: 'out',
  entryNames: 'entry-[hash]',
  chunkNames: 'chunk-[hash]',
  sourcemap: false,
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
});

const hex = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 10);
// esbuild's names carry its own content hash (of the file and the chunks it imports), in
// base32; the server caches names with a hex hash as immutable, so each becomes
// `app.<hex>.<ext>` or `chunk.<hex>.js`, and the imports between them are rewritten.
const renamed = new Map();
for (const file of result.outputFiles) {
  const base = path.basename(file.path);
  const [kind, rest] = base.split('-');
  const ext = path.extname(base);
  renamed.set(base, `${kind === 'entry' ? 'app' : 'chunk'}.${hex(rest)}${ext}`);
}
await rm(tmp, { recursive: true, force: true });
await mkdir(path.join(tmp, 'assets'), { recursive: true });
const files = [];
for (const file of result.outputFiles) {
  const name = renamed.get(path.basename(file.path));
  let text = file.text;
  for (const [from, to] of renamed) text = text.replaceAll(`./${from}`, `./${to}`);
  const bytes = Buffer.from(text);
  files.push({ name, bytes });
  await writeFile(path.join(tmp, 'assets', name), bytes);
}
const app = (ext) => files.find((f) => f.name.startsWith('app.') && f.name.endsWith(ext)).name;
// What the app imports statically (chunks shared with the console) loads with it: preloaded.
const first = new Set();
const visit = (key) => {
  const name = renamed.get(path.basename(key));
  if (first.has(name)) return;
  first.add(name);
  for (const i of result.metafile.outputs[key].imports) if (i.kind === 'import-statement') visit(i.path);
  const css = result.metafile.outputs[key].cssBundle;
  if (css) first.add(renamed.get(path.basename(css)));
};
visit(Object.keys(result.metafile.outputs).find((k) => result.metafile.outputs[k].entryPoint));
const preload = [...first]
  .filter((n) => n.startsWith('chunk.'))
  .map((n) => `<link rel="modulepreload" href="/agent/assets/${n}">`)
  .join('\n');
let html = await readFile(path.join(root, 'src/index.html'), 'utf8');
html = html
  .replace('%CSS%', `/agent/assets/${app('.css')}`)
  .replace('%JS%', `/agent/assets/${app('.js')}`)
  .replace('%PRELOAD%', preload);
await writeFile(path.join(tmp, 'index.html'), html);
await rm(out, { recursive: true, force: true });
await rename(tmp, out);

const gz = (b) => gzipSync(b, { level: 9 }).length;
const initial = files.filter((f) => first.has(f.name));
const later = files.filter((f) => !first.has(f.name));
const raw = initial.reduce((n, f) => n + f.bytes.length, html.length);
const zipped = initial.reduce((n, f) => n + gz(f.bytes), gz(Buffer.from(html)));
console.log(`agent workspace: ${out}`);
console.log(`size: ${raw} bytes, ${zipped} bytes gzipped on first load (${initial.map((f) => f.name).join(', ')})`);
for (const f of later) console.log(`later: ${f.name} ${f.bytes.length} bytes, ${gz(f.bytes)} bytes gzipped`);
