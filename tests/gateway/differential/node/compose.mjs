// Reference composer for the differential tests: @theguild/federation-composition.
// Reads a JSON array of {name, url, sdl} on stdin; prints {"supergraph": "..."} or
// {"errors": [{"code", "message"}]} on stdout.
// Batch form: {"compositions": [[{name, url, sdl}, ...], ...]} in, {"results": [<one answer each>]} out.
import { parse } from 'graphql';
import { composeServices } from '@theguild/federation-composition';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function compose(input) {
  let services;
  try {
    if (!Array.isArray(input)) throw new Error('input must be a JSON array of {name, url, sdl}');
    services = input.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  } catch (err) {
    return { errors: [{ code: 'INVALID_INPUT', message: String(err && err.message ? err.message : err) }] };
  }
  const result = composeServices(services);
  if (result.errors && result.errors.length > 0) {
    return {
      errors: result.errors.map((e) => ({
        code: (e.extensions && e.extensions.code) || 'COMPOSITION_ERROR',
        message: e.message,
      })),
    };
  }
  return { supergraph: result.supergraphSdl };
}

let input;
try {
  input = JSON.parse(await readStdin());
} catch (err) {
  input = null;
}
const answer = input && !Array.isArray(input) && Array.isArray(input.compositions)
  ? { results: input.compositions.map(compose) }
  : compose(input);
process.stdout.write(`${JSON.stringify(answer)}\n`);
