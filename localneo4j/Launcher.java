// Launcher runs Neo4j 5.26 (community, embedded) with its Bolt connector on a loopback
// address, for local development and tests. It is started by localneo4j/start.sh, which
// fetches the classpath from pom.xml; it runs until it receives SIGTERM or SIGINT.
//
// Usage: java -cp CLASSPATH Launcher.java DATA_DIR PORT
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
        if (args.length != 2) {
            System.err.println("usage: Launcher DATA_DIR PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
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
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1G size")
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
        System.out.println("kith local neo4j: bolt://127.0.0.1:" + port + " data " + home);
        Thread.currentThread().join();
    }
}
