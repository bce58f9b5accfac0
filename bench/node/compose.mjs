// Compose subgraph SDLs with a reference composer: @theguild/federation-composition (default, or argument
// "guild") or @apollo/composition (argument "apollo").
// stdin: [{"name","url","sdl"}]; stdout: {"supergraph": "...", "ms": <in-process composition time>} or
// {"errors": [{"code","message"}]}
import { parse } from "graphql";
import { composeServices as composeGuild } from "@theguild/federation-composition";
import { composeServices as composeApollo } from "@apollo/composition";

const composeServices = process.argv[2] === "apollo" ? composeApollo : composeGuild;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const services = JSON.parse(input).map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
const start = performance.now();
const result = composeServices(services);
const ms = performance.now() - start;
if (result.errors && result.errors.length) {
  console.log(JSON.stringify({ errors: result.errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message })) }));
} else {
  console.log(JSON.stringify({ supergraph: result.supergraphSdl, ms }));
}
