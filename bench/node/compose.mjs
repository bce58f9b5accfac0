// Compose subgraph SDLs with @theguild/federation-composition.
// stdin: [{"name","url","sdl"}]; stdout: {"supergraph": "..."} or {"errors": [{"code","message"}]}
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const services = JSON.parse(input).map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
const result = composeServices(services);
if (result.errors && result.errors.length) {
  console.log(JSON.stringify({ errors: result.errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message })) }));
} else {
  console.log(JSON.stringify({ supergraph: result.supergraphSdl }));
}
