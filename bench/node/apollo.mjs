// @apollo/gateway behind @apollo/server, one process: node apollo.mjs SUPERGRAPH_FILE PORT
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway } from "@apollo/gateway";

const [supergraphPath, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, "utf8") });
const server = new ApolloServer({ gateway, csrfPrevention: false, introspection: false });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: "127.0.0.1" } });
console.log(`READY ${url}`);
process.on("SIGTERM", async () => { await server.stop(); process.exit(0); });
