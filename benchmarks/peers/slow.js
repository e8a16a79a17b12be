// Node peer: its http server on a unix socket, behind nginx's proxy_pass, as Express and Next.js
// run. GET .../slow?ms=N answers {"slept":N} after N milliseconds; waiting holds nothing.
const http = require('http');
const fs = require('fs');
const socket = process.argv[2];
try { fs.unlinkSync(socket); } catch {}
http.createServer((req, res) => {
  const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms')) || 0;
  setTimeout(() => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ slept: ms }));
  }, ms);
}).listen(socket, () => fs.chmodSync(socket, 0o666));
