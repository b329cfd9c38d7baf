/**
 * The least any HTTP server does for the chaos script's slow clients: a bare node:http server with
 * the service's default timeouts (headers 10 s, a request 30 s) that reads each body and answers
 * 401. The slow-clients scenario aims the attackers at it, in a turn of their own, while claims go
 * to the service: what the attack costs the machine (the attackers' and this server's CPU on the
 * same 2 cores) apart from what it costs the service. Prints its port and runs until killed.
 */
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"unauthorized","message":"no key"}}');
  });
});
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
