// Load supergraphs the way @apollo/gateway does at start-up (no HTTP listener, no subgraph calls).
// stdin: {"supergraphs": ["<sdl>", ...]}; stdout: {"results": [{"ok": true, "via": ...} | {"ok": false, "error"}]}
// @apollo/gateway refuses the `for: SECURITY` features it does not enforce (@policy, @requiresScopes,
// @authenticated, @context); such a supergraph is loaded through the same `Supergraph` class and query
// planner with the feature set the Apollo router supports instead ("via": "supergraph").
import { ApolloGateway } from '@apollo/gateway';
import { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };
const UNSUPPORTED_SECURITY = /is for: SECURITY but is unsupported/;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function message(err) {
  return String(err && err.message ? err.message : err);
}

async function load(supergraphSdl) {
  const gateway = new ApolloGateway({ supergraphSdl, logger: quietLogger });
  try {
    const { schema } = await gateway.load();
    if (!schema) throw new Error('the gateway produced no API schema');
    return { ok: true, via: 'gateway' };
  } catch (err) {
    if (!UNSUPPORTED_SECURITY.test(message(err))) return { ok: false, error: message(err) };
  } finally {
    await gateway.stop().catch(() => {});
  }
  try {
    const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES });
    supergraph.apiSchema();
    supergraph.subgraphs();
    new QueryPlanner(supergraph);
    return { ok: true, via: 'supergraph' };
  } catch (err) {
    return { ok: false, error: message(err) };
  }
}

const input = JSON.parse(await readStdin());
const results = [];
for (const sdl of input.supergraphs) results.push(await load(sdl));
process.stdout.write(`${JSON.stringify({ results })}\n`);
