// Builds the agent workspace into dist/: one JavaScript and one CSS file named by their
// content hash (served with a year of caching), an index.html that names them (revalidated),
// and the sizes, raw and gzipped, as the build's last lines.
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
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  outdir: 'out',
  sourcemap: false,
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

const hash = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 10);
await rm(tmp, { recursive: true, force: true });
await mkdir(path.join(tmp, 'assets'), { recursive: true });
const names = {};
for (const file of result.outputFiles) {
  const ext = path.extname(file.path);
  const name = `app.${hash(file.contents)}${ext}`;
  names[ext] = name;
  await writeFile(path.join(tmp, 'assets', name), file.contents);
}
let html = await readFile(path.join(root, 'src/index.html'), 'utf8');
html = html
  .replace('%CSS%', `/agent/assets/${names['.css']}`)
  .replace('%JS%', `/agent/assets/${names['.js']}`);
await writeFile(path.join(tmp, 'index.html'), html);
await rm(out, { recursive: true, force: true });
await rename(tmp, out);

let raw = 0;
let gz = 0;
for (const file of result.outputFiles) {
  raw += file.contents.length;
  gz += gzipSync(file.contents, { level: 9 }).length;
}
gz += gzipSync(Buffer.from(html), { level: 9 }).length;
raw += html.length;
console.log(`agent workspace: ${out}`);
console.log(`size: ${raw} bytes, ${gz} bytes gzipped (js ${names['.js']}, css ${names['.css']})`);
