// The @neo4j/graphql server that `kith bench` measures Kith against: Kith's model
// (typedefs.graphql) served by the Neo4j GraphQL Library on Apollo Server, over the same
// Neo4j. Configured by the environment:
//   NEO4J_URI        Bolt URI (default bolt://127.0.0.1:7687)
//   NEO4J_USER, NEO4J_PASSWORD   credentials; no user means no authentication
//   NEO4J_DATABASE   database (default: the server's)
//   PORT             port on 127.0.0.1 (default 0: any free port)
// Prints "listening on http://127.0.0.1:PORT/graphql" when ready.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(new URL("./typedefs.graphql", import.meta.url), "utf8");
const uri = process.env.NEO4J_URI || "bolt://127.0.0.1:7687";
const auth = process.env.NEO4J_USER
  ? neo4j.auth.basic(process.env.NEO4J_USER, process.env.NEO4J_PASSWORD || "")
  : undefined;
const driver = neo4j.driver(uri, auth);
await driver.verifyConnectivity();

const database = process.env.NEO4J_DATABASE || undefined;
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT || 0) },
  context: async () => ({ sessionConfig: database ? { database } : undefined }),
});
console.log(`listening on ${url.replace(/\/$/, "")}/graphql`.replace("/graphql/graphql", "/graphql"));

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    await server.stop();
    await driver.close();
    process.exit(0);
  });
}
