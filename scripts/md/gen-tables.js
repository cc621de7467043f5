// Regenerates crates/md/src/classes.rs and crates/md/src/psl.txt from the 0.32.0 bundle.
// Usage (repo root): MP_NODE_MODULES=/path/to/node_modules node scripts/md/gen-tables.js
const fs=require('fs');
const src=fs.readFileSync(require('path').join(process.env.MP_NODE_MODULES, '@rocket.chat/message-parser/dist/messageParser.js'),'utf8');
// char classes: find regex literals by their var names in decl
function grab(name){ const m=new RegExp('[,{ ]'+name.replace('$','\\$')+'=(/\\^\\[.*?\\]/)[,;]').exec(src); if(!m) throw name; return eval(m[1]); }
function ranges(re){ // compute ranges over u16
  const out=[]; let start=-1;
  for(let c=0;c<=0x10000;c++){ const ok=c<0x10000 && re.test(String.fromCharCode(c)); if(ok&&start<0)start=c; if(!ok&&start>=0){out.push([start,c-1]);start=-1;} }
  return out;
}
let rs='// Generated from the @rocket.chat/message-parser 0.32.0 bundle by scripts/md/gen-tables.js. Do not edit.\n\n';
for(const [v,n] of [['UTF8_NAME','pg'],['EMAIL_LOCAL','Dg'],['ALNUM_CHAR','Bg']]){
  // find the regex in parser source via the deob name map: use the function body text
  const fnRe=new RegExp('function '+n+'\\(\\)\\{var e;return e=a\\.charAt\\(Cm\\),([A-Za-z_$][\\w$]*)\\.test');
  let m=fnRe.exec(src); let varName;
  if(m) varName=m[1]; else { const m2=new RegExp('function '+n+'\\(\\)\\{var e,u,n;if\\(e=Cm,u=\\[\\],n=a\\.charAt\\(Cm\\),([A-Za-z_$][\\w$]*)\\.test').exec(src); varName=m2[1]; }
  const re=grab(varName);
  const r=ranges(re);
  rs+=`pub(crate) static ${v}: &[(u16, u16)] = &[\n`+r.map(([a,b])=>`    (0x${a.toString(16).toUpperCase()}, 0x${b.toString(16).toUpperCase()}),`).join('\n')+'\n];\n\n';
}
fs.writeFileSync('crates/md/src/classes.rs',rs);
// PSL tries
const s0=src.indexOf('const i=function(){const a=[1,{}]');
const s1=src.indexOf('function c(a,e,u,n){',s0);
const code=src.slice(s0,s1);
const tr=new Function(code.replace(/;\s*$/,'')+';return [i,s];')();
let lines=[];
function walk(node,path,kind){ const [flag,children]=node; if(path.length) lines.push(kind+flag+' '+path.join('.')); for(const k of Object.keys(children)) walk(children[k],path.concat([k]),kind); }
walk(tr[0],[],'E'); walk(tr[1],[],'R');
fs.writeFileSync('crates/md/src/psl.txt',lines.join('\n')+'\n');
console.log(lines.length);
