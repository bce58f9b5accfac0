// Reference composers for the differential tests: @theguild/federation-composition (the default) and
// @apollo/composition. Reads a JSON array of {name, url, sdl} on stdin; prints {"supergraph": "..."} or
// {"errors": [{"code", "message"}]} on stdout.
// Batch form: {"compositions": [[{name, url, sdl}, ...], ...], "composer": "guild" | "apollo"} in,
// {"results": [<one answer each>]} out.
import { parse } from 'graphql';
import { composeServices as composeGuild } from '@theguild/federation-composition';
import { composeServices as composeApollo } from '@apollo/composition';

const COMPOSERS = { guild: composeGuild, apollo: composeApollo };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function compose(input, composeServices) {
  let services;
  try {
    if (!Array.isArray(input)) throw new Error('input must be a JSON array of {name, url, sdl}');
    services = input.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  } catch (err) {
    return { errors: [{ code: 'INVALID_INPUT', message: String(err && err.message ? err.message : err) }] };
  }
  let result;
  try {
    result = composeServices(services);
  } catch (err) {
    return { errors: [{ code: 'COMPOSER_CRASHED', message: String(err && err.message ? err.message : err) }] };
  }
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
const batch = input && !Array.isArray(input) && Array.isArray(input.compositions);
const composer = COMPOSERS[(batch && input.composer) || 'guild'];
const answer = batch ? { results: input.compositions.map((c) => compose(c, composer)) } : compose(input, composer);
process.stdout.write(`${JSON.stringify(answer)}\n`);
