/*
 * Runs DynamoDB Local (3.x) listening on 127.0.0.1 only.
 *
 * DynamoDB Local's own main (ServerRunner) has no bind-address option: it listens on every
 * interface, so anyone on the network could read and write the offline tables (password hashes,
 * an admin account). This launcher builds the same request handler ServerRunner builds (in
 * memory, one database shared by every region and access key, no delayed transient statuses,
 * no CORS) and serves it through a Jetty connector bound to the loopback address. It skips
 * ServerRunner's telemetry setup and start banner as well.
 *
 * Usage (a single-file source program, compiled in memory by the java launcher):
 *   java -Djava.library.path=DynamoDBLocal_lib -cp 'DynamoDBLocal.jar:DynamoDBLocal_lib/*' Launcher.java PORT
 * PORT 0 picks a free port. Once serving, it prints one line: "listening on 127.0.0.1:<port>".
 *
 * It exits when its standard input reaches end-of-file: the process that started it keeps the
 * write end of a pipe open and never writes, so when that process dies, however it dies (even
 * SIGKILL, which it cannot catch), the pipe closes and DynamoDB Local goes with it instead of
 * lingering as an orphan that holds the port and ~300 MB.
 */
import java.io.IOException;
import java.io.InputStream;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBServerHandler;

public final class Launcher {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].matches("\\d{1,5}")) {
            System.err.println("usage: java -cp 'DynamoDBLocal.jar:DynamoDBLocal_lib/*' Launcher.java PORT");
            System.exit(2);
        }
        exitWhenStdinCloses();

        // (port unused by the handler, inMemory, dbPath, sharedDb, delayTransientStatuses): the
        // values ServerRunner passes for `-inMemory -sharedDb`.
        LocalDynamoDBServerHandler handler =
                new LocalDynamoDBServerHandler(new LocalDynamoDBRequestHandler(0, true, null, true, false), null);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(HOST);
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        // The proxy server is never started (that would bind every interface); it only wraps the
        // handler in the context DynamoDB Local's own server uses.
        server.setHandler(new DynamoDBProxyServer(0, handler).setUpHandler(handler));
        try {
            server.start();
        } catch (Exception e) {
            // Jetty's non-daemon threads would keep a half-started JVM alive: exit instead.
            System.err.println("Could not listen on " + HOST + ":" + args[0] + ": " + e);
            System.exit(1);
        }
        System.out.println("listening on " + HOST + ":" + connector.getLocalPort());
        System.out.flush();
        server.join();
    }

    private static void exitWhenStdinCloses() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // Nobody is meant to write; anything written is ignored.
                }
            } catch (IOException e) {
                // A broken stdin means the parent is gone, as with end-of-file.
            }
            // halt, not exit: nothing of an in-memory database is worth a shutdown hook's delay.
            Runtime.getRuntime().halt(0);
        }, "exit-when-stdin-closes");
        watcher.setDaemon(true);
        watcher.start();
    }
}
