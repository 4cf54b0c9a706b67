package chat.store;

import chat.config.ChatConfig;
import chat.support.TestServers;
import org.hsqldb.lib.FileUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCommitTest {
  private static final long WAIT_SECONDS = 20;
  @TempDir
  Path data;
  private final HeldSyncs syncs = new HeldSyncs();
  private final ExecutorService clients = Executors.newCachedThreadPool();
  private StoreServer store;
  private String url;

  @AfterEach
  void stop() {
    syncs.open.countDown();
    clients.shutdownNow();
    if (store != null) {
      store.stop();
    }
  }

  @Test
  void aCommitIsAnsweredOnlyOnceTheLogIsOnTheDiskWhileOtherConnectionsReadOn() throws Exception {
    serve();
    try (Connection writer = connect(); Connection reader = connect()) {
      try {
        syncs.hold();
        Future<Integer> insert = clients.submit(() -> update(writer, "INSERT INTO t VALUES (1)"));
        assertTrue(syncs.entered.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the commit asks for the log's sync");

        Future<Integer> read = clients.submit(() -> count(reader));
        assertEquals(1, read.get(WAIT_SECONDS, TimeUnit.SECONDS),
            "another connection's statement runs while the commit waits for the disk");
        assertFalse(insert.isDone(), "the commit is not answered before its log is on the disk");

        syncs.open.countDown();
        assertEquals(1, insert.get(WAIT_SECONDS, TimeUnit.SECONDS));
      } finally {
        // a connection waiting for its answer cannot be closed
        syncs.open.countDown();
      }
    }
  }

  @Test
  void commitsThatWaitForTheDiskTogetherShareOneSync() throws Exception {
    serve();
    int writers = 8;
    List<Connection> connections = new ArrayList<>();
    try {
      Connection reader = connect();
      connections.add(reader);
      List<Connection> writing = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        writing.add(connect());
      }
      connections.addAll(writing);
      syncs.hold();
      List<Future<Integer>> inserts = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Connection c = writing.get(i);
        int id = i;
        inserts.add(clients.submit(() -> update(c, "INSERT INTO t VALUES (" + id + ")")));
      }
      assertTrue(syncs.entered.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "the first commit syncs the log");
      // every insert commits while the first sync is held (a read would wait for a sync made in the store's lock)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (clients.submit(() -> count(reader)).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) < writers) {
        Thread.onSpinWait();
      }
      int before = syncs.count.get();

      syncs.open.countDown();
      for (Future<Integer> insert : inserts) {
        assertEquals(1, insert.get(WAIT_SECONDS, TimeUnit.SECONDS));
      }
      int synced = syncs.count.get() - before;
      assertTrue(synced <= 2, writers + " commits took " + synced + " syncs: the first one's and one for the rest");
    } finally {
      // a connection waiting for its answer cannot be closed
      syncs.open.countDown();
      for (Connection c : connections) {
        c.close();
      }
    }
  }

  @Test
  void whatACheckpointClosesIsOnTheDiskAndTheCommitsAfterItToo() throws Exception {
    serve();
    try (Connection c = connect()) {
      update(c, "INSERT INTO t VALUES (1)");
      update(c, "CHECKPOINT");
      update(c, "INSERT INTO t VALUES (2)");
    }
    store.stop();
    store = new StoreServer(syncs);
    store.start("127.0.0.1", port(), databasePath(), 0);
    try (Connection c = connect()) {
      assertEquals(2, count(c), "both commits are in the store after it was stopped and started again");
    }
  }

  @Test
  void aCommitOnAThreadThatServesNoConnectionSyncsBeforeItReturns() throws Exception {
    GroupCommit files = new GroupCommit(FileUtil.getFileUtil(), syncs);
    try (OutputStream log = files.openOutputStreamElementAppend(data.resolve("chat.log").toString())) {
      log.write("COMMIT\n".getBytes());
      files.getFileSync(log).sync();
      assertEquals(1, syncs.count.get(), "the log was synced on the committing thread");
      files.getFileSync(log).sync();
      assertEquals(1, syncs.count.get(), "nothing written since: nothing to sync");
    }
    try (OutputStream script = files.openOutputStreamElement(data.resolve("chat.script").toString())) {
      assertTrue(script instanceof FileOutputStream, "the other files are HSQLDB's own");
    }
  }

  @Test
  void aLogWhoseSyncFailedAtItsCloseAnswersNoCommitItHeld() throws Exception {
    GroupCommit.Syncer failing = file -> {
      throw new IOException("disk gone");
    };
    GroupCommit.LogFile log = new GroupCommit.LogFile(new FileOutputStream(data.resolve("chat.log").toFile()), failing);
    log.write("COMMIT\n".getBytes());
    long position = log.written();
    assertThrows(IOException.class, log::close);
    assertThrows(IOException.class, () -> log.awaitDurable(position), "a commit whose log never reached the disk");
  }

  private void serve() throws SQLException, IOException {
    store = new StoreServer(syncs);
    store.start("127.0.0.1", port(), databasePath(), 0);
    url = "jdbc:hsqldb:hsql://127.0.0.1:" + port() + "/chat";
    try (Connection c = connect()) {
      update(c, "CREATE TABLE t (id INT)");
    }
  }

  private int port;

  private int port() throws IOException {
    if (port == 0) {
      ChatConfig config = TestServers.config(data, Map.of()).withFreePorts();
      port = config.store().getInteger("port");
    }
    return port;
  }

  private Path databasePath() {
    return data.resolve("db").resolve("chat");
  }

  private Connection connect() throws SQLException, IOException {
    if (url == null) {
      url = "jdbc:hsqldb:hsql://127.0.0.1:" + port() + "/chat";
    }
    return DriverManager.getConnection(url, "SA", "");
  }

  private static int update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  private static int count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM t")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** The disk's sync, which a test can hold: every sync then waits until the test opens it. */
  private static final class HeldSyncs implements GroupCommit.Syncer {
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicInteger count = new AtomicInteger();
    private volatile boolean holding;

    void hold() {
      holding = true;
    }

    @Override
    public void sync(FileOutputStream file) throws IOException {
      if (holding) {
        entered.release();
        try {
          open.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      count.incrementAndGet();
      GroupCommit.DISK.sync(file);
    }
  }
}
