package chat.store;

import org.hsqldb.lib.EventLogInterface;
import org.hsqldb.lib.FileAccess;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * Commits to the served store made durable in groups, outside the store's locks.
 *
 * <p>HSQLDB syncs its log to the disk inside every commit while it holds its one transaction
 * lock: no other statement of any connection begins while a commit waits for the disk, and on
 * a busy store the statements queue behind every post's sync and then wake one after another
 * (docs/PERFORMANCE.md, twelfth round). Here the log's sync, when a commit asks for it on the
 * thread of a served connection, only notes how far that connection's log must be on the disk
 * and returns; the connection's answer, the first byte of which would tell its client the
 * commit is done, waits until the log is synced that far. Connections that wait together are
 * served by one sync: the first of them syncs everything written so far, the others find their
 * commits covered when it ends. So a client still hears of its commit only once it is on the
 * disk, as before, and the store's lock is no longer held during the disk's wait.
 *
 * <p>Commits made on other threads (the login role's own connections, in-process) sync before
 * they return, as HSQLDB does itself. The log's other files (its script at a checkpoint, the
 * backup, the properties) are handled by HSQLDB's own file access, unchanged.
 */
final class GroupCommit implements FileAccess {
  /** What the served connection of the current thread owes its client, when it serves one. */
  private static final ThreadLocal<Owed> OWED = new ThreadLocal<>();
  private static final String LOG_SUFFIX = ".log";
  private final FileAccess files;
  private final Syncer syncer;

  /** How a log file is synced to the disk: a seam for tests. */
  interface Syncer {
    void sync(FileOutputStream file) throws IOException;
  }

  /** The disk's own sync. */
  static final Syncer DISK = file -> file.getFD().sync();

  GroupCommit(FileAccess files, Syncer syncer) {
    this.files = files;
    this.syncer = syncer;
  }

  /** The socket of a served connection: its answers wait for the commits they report to be durable. */
  static Socket served(Socket socket) {
    return new ServedSocket(socket);
  }

  @Override
  public OutputStream openOutputStreamElement(String name) throws IOException {
    return name.endsWith(LOG_SUFFIX) ? new LogFile(new FileOutputStream(name, false), syncer) : files.openOutputStreamElement(name);
  }

  @Override
  public OutputStream openOutputStreamElementAppend(String name) throws IOException {
    return name.endsWith(LOG_SUFFIX) ? new LogFile(new FileOutputStream(name, true), syncer)
        : files.openOutputStreamElementAppend(name);
  }

  @Override
  public FileSync getFileSync(OutputStream stream) throws IOException {
    if (stream instanceof LogFile log) {
      return () -> {
        Owed owed = OWED.get();
        if (owed == null) {
          log.awaitDurable(log.written());
        } else {
          owed.owe(log, log.written());
        }
      };
    }
    return files.getFileSync(stream);
  }

  @Override
  public InputStream openInputStreamElement(String name) throws IOException {
    return files.openInputStreamElement(name);
  }

  @Override
  public boolean isStreamElement(String name) {
    return files.isStreamElement(name);
  }

  @Override
  public void createParentDirs(String name) {
    files.createParentDirs(name);
  }

  @Override
  public boolean removeElement(String name) {
    return files.removeElement(name);
  }

  @Override
  public boolean renameElement(String from, String to) {
    return files.renameElement(from, to);
  }

  @Override
  public boolean renameElementOrCopy(String from, String to, EventLogInterface events) {
    return files.renameElementOrCopy(from, to, events);
  }

  /**
   * The log file: what has been written to it, and how much of that is on the disk. One sync
   * at a time, made by whichever waiter finds none under way, for everything written when it
   * begins; writes go on meanwhile.
   */
  static final class LogFile extends OutputStream {
    private final FileOutputStream out;
    private final Syncer syncer;
    private long written;
    private long durable;
    private boolean syncing;
    private boolean closed;

    LogFile(FileOutputStream out, Syncer syncer) {
      this.out = out;
      this.syncer = syncer;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      out.write(b);
      written++;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      written += len;
    }

    synchronized long written() {
      return written;
    }

    /** Returns once the first {@code position} bytes written are on the disk (closing the file syncs it). */
    void awaitDurable(long position) throws IOException {
      long target;
      synchronized (this) {
        while (durable < position && syncing) {
          waitForSync();
        }
        if (durable >= position) {
          return;
        }
        if (closed) {
          throw new IOException("the store's log was closed before it was synced");
        }
        syncing = true;
        target = written;
      }
      boolean synced = false;
      try {
        syncer.sync(out);
        synced = true;
      } finally {
        synchronized (this) {
          syncing = false;
          if (synced) {
            durable = Math.max(durable, target);
          }
          notifyAll();
        }
      }
    }

    private void waitForSync() throws IOException {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while the store's log was synced");
      }
    }

    @Override
    public void close() throws IOException {
      synchronized (this) {
        while (syncing) {
          waitForSync();
        }
        if (closed) {
          return;
        }
        try {
          syncer.sync(out);
          durable = written;
        } finally {
          closed = true;
          notifyAll();
          out.close();
        }
      }
    }
  }

  /** How far the log must be on the disk before the connection's next answer goes out. */
  static final class Owed {
    private LogFile log;
    private long position;

    void owe(LogFile log, long position) {
      this.log = log;
      this.position = position;
    }

    void settle() throws IOException {
      if (log != null) {
        LogFile owedTo = log;
        log = null;
        owedTo.awaitDurable(position);
      }
    }
  }

  /** A served connection's answers: none leaves before what it reports is durable. */
  private static final class Answers extends FilterOutputStream {
    private final Owed owed;

    Answers(OutputStream out, Owed owed) {
      super(out);
      this.owed = owed;
    }

    @Override
    public void write(int b) throws IOException {
      owed.settle();
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      owed.settle();
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      owed.settle();
      out.flush();
    }
  }

  /**
   * The accepted socket of a served connection, as HSQLDB's connection thread uses it: the
   * thread that first asks for its streams is the one that serves it, and is marked so. Each
   * answer leaves in one write ({@link StoreSockets}).
   */
  private static final class ServedSocket extends Socket {
    private final Socket socket;
    private Answers answers;

    ServedSocket(Socket socket) {
      this.socket = socket;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return answers();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return StoreSockets.flushingBefore(socket.getInputStream(), answers());
    }

    private Answers answers() throws IOException {
      if (answers == null) {
        Owed owed = new Owed();
        OWED.set(owed);
        answers = new Answers(StoreSockets.whole(socket.getOutputStream()), owed);
      }
      return answers;
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
      socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
      return socket.getTcpNoDelay();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      socket.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
      return socket.getSoTimeout();
    }

    @Override
    public InetAddress getInetAddress() {
      return socket.getInetAddress();
    }

    @Override
    public int getPort() {
      return socket.getPort();
    }

    @Override
    public int getLocalPort() {
      return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return socket.getLocalSocketAddress();
    }

    @Override
    public boolean isConnected() {
      return socket.isConnected();
    }

    @Override
    public boolean isClosed() {
      return socket.isClosed();
    }

    @Override
    public void shutdownInput() throws IOException {
      socket.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }

    @Override
    public String toString() {
      return socket.toString();
    }
  }
}
