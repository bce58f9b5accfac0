// Reference gateway for the @defer differential tests: @graphql-hive/gateway with incremental delivery on.
// Usage: node hive.mjs --supergraph FILE [--supergraph FILE2 ...]
// Each supergraph gets its own gateway on 127.0.0.1 at a free port; prints "READY <port>" per gateway, in
// argument order, once it listens; exits on SIGTERM.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGatewayRuntime } from '@graphql-hive/gateway';

const { values } = parseArgs({ options: { supergraph: { type: 'string', multiple: true } } });
const supergraphs = values.supergraph ?? [];
if (supergraphs.length === 0) {
  console.error('hive.mjs: --supergraph FILE is required');
  process.exit(2);
}

const servers = [];
for (const file of supergraphs) {
  const gateway = createGatewayRuntime({
    supergraph: readFileSync(file, 'utf8'),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: false,
    deferStream: true,
  });
  const server = createServer(gateway);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  console.log(`READY ${server.address().port}`);
}
process.on('SIGTERM', () => {
  for (const server of servers) server.close();
  process.exit(0);
});
