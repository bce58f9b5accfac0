// @graphql-hive/gateway on node:http for the differential tests, subscriptions to subgraphs over WebSocket:
//   node hive_gateway.mjs SUPERGRAPH_FILE PORT
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createGatewayRuntime } from "@graphql-hive/gateway";

const [supergraphPath, port] = process.argv.slice(2);
const gateway = createGatewayRuntime({
  supergraph: readFileSync(supergraphPath, "utf8"),
  graphqlEndpoint: "/graphql",
  landingPage: false,
  graphiql: false,
  logging: false,
  // subgraph subscriptions over graphql-transport-ws at the subgraph's URL (http -> ws), as ours
  transportEntries: { "*.http": { options: { subscriptions: { kind: "ws" } } } },
});
const server = createServer(gateway);
server.listen(Number(port), "127.0.0.1", () => console.log(`READY http://127.0.0.1:${port}/graphql`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
