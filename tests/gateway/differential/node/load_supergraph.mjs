// Load supergraphs the way @apollo/gateway does at start-up (no HTTP listener, no subgraph calls).
// stdin: {"supergraphs": ["<sdl>", ...]}; stdout: {"results": [{"ok": true} | {"ok": false, "error": "..."}]}
import { ApolloGateway } from '@apollo/gateway';

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function load(supergraphSdl) {
  const gateway = new ApolloGateway({ supergraphSdl, logger: quietLogger });
  try {
    const { schema } = await gateway.load();
    if (!schema) throw new Error('the gateway produced no API schema');
    return { ok: true };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  } finally {
    await gateway.stop().catch(() => {});
  }
}

const input = JSON.parse(await readStdin());
const results = [];
for (const sdl of input.supergraphs) results.push(await load(sdl));
process.stdout.write(`${JSON.stringify({ results })}\n`);
