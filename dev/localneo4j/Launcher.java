// Launcher runs Neo4j 5.26 (community, embedded) with its Bolt connector on a loopback
// address, for local development and tests. It is started by dev/localneo4j/start.sh, which
// fetches the classpath from pom.xml; it runs until it receives SIGTERM or SIGINT.
//
// Usage: java -cp CLASSPATH Launcher.java DATA_DIR PORT [TX_MEMORY]
//
// TX_MEMORY, when given (e.g. 256m), is db.memory.transaction.max: the most heap one
// transaction may use, so that one query cannot build a record (or a sort, or a collect)
// that starves the instance; Neo4j fails that transaction with a memory error instead. The
// research copy's instance is started with one (start.sh, KITH_NEO4J_TX_MEMORY).
import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: Launcher DATA_DIR PORT [TX_MEMORY]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                // Loopback only, so no password: the same trust as a local socket.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(512))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                // Keep at most 1 GB of transaction logs (default: 2 days' worth, which grows
                // by gigabytes a day under make bench); a local instance has no backups or
                // cluster members that need older ones.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1G size");
        if (args.length == 3 && !args[2].isEmpty()) {
            builder.setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.parse(args[2]));
        }
        DatabaseManagementService dbms = builder.build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
        System.out.println("kith local neo4j: bolt://127.0.0.1:" + port + " data " + home);
        Thread.currentThread().join();
    }
}
