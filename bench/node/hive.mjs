// @graphql-hive/gateway runtime on node:http, one process:
//   node hive.mjs SUPERGRAPH_FILE PORT DEDUPE(0|1)
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createGatewayRuntime } from "@graphql-hive/gateway";

const [supergraphPath, port, dedupe] = process.argv.slice(2);
const gateway = createGatewayRuntime({
  supergraph: readFileSync(supergraphPath, "utf8"),
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: false,
  logging: false,
  // "off": no de-duplication at all (outbound to subgraphs is on by default, so switch it off);
  // "on": outbound and inbound in-flight de-duplication.
  inboundInflightRequestDeduplication: dedupe === "1",
  transportEntries: { "*.http": { options: { deduplicateInflightRequests: dedupe === "1" } } },
});
const server = createServer(gateway);
server.listen(Number(port), "127.0.0.1", () => console.log(`READY http://127.0.0.1:${port}/graphql`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
