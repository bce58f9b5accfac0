// Reference gateway for the differential tests: @apollo/gateway over fixed supergraph files.
// Usage: node gateway.mjs --supergraph FILE [--port PORT] [--supergraph FILE2 [--port PORT2] ...]
// Each supergraph gets its own gateway and HTTP listener on 127.0.0.1 (port 0 = any free port).
// Prints one line "READY <port>" per gateway, in argument order, once it listens; exits on SIGTERM.
// Several gateways in one process share the module loading, which keeps the test suite fast.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';

const { values } = parseArgs({
  options: {
    supergraph: { type: 'string', multiple: true },
    port: { type: 'string', multiple: true },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const supergraphs = values.supergraph ?? [];
const ports = values.port ?? [];
if (supergraphs.length === 0) {
  console.error('gateway.mjs: --supergraph FILE is required');
  process.exit(2);
}
if (ports.length > supergraphs.length) {
  console.error('gateway.mjs: more --port than --supergraph options');
  process.exit(2);
}

const quietLogger = {
  debug() {},
  info() {},
  warn(message) { console.error(`[gateway warn] ${message}`); },
  error(message) { console.error(`[gateway error] ${message}`); },
};

const servers = [];
for (const [index, file] of supergraphs.entries()) {
  // No polling and no introspection composition: the supergraph is read once from the file.
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, 'utf8'), logger: quietLogger });
  const server = new ApolloServer({
    gateway,
    introspection: true,
    csrfPrevention: false,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
    logger: quietLogger,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(ports[index] ?? '0'), host: values.host },
  });
  servers.push(server);
  process.stdout.write(`READY ${new URL(url).port}\n`);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(0), 3000);
  timer.unref();
  try {
    await Promise.all(servers.map((s) => s.stop()));
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
