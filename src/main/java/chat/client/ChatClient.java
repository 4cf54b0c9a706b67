package chat.client;

import chat.Main;
import chat.config.CommandLineSpec;
import chat.messaging.Channels;
import chat.protocol.ClientProtocol;
import chat.protocol.Command;
import chat.protocol.Deliveries;
import chat.protocol.Reply;
import chat.protocol.Request;
import chat.wire.ClientTls;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpMessage;
import chat.messaging.BrokerLink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code client [--tls [--ca FILE]] IP PORT}: reads commands from standard input, prints
 * results on standard output (PROTOCOL.md section 3), keeps a token per user logged in through
 * it and prints the messages those users receive. With {@code --tls} it speaks TLS to the
 * login server and to application servers alike, and stops at the first server whose
 * certificate does not verify. When standard input and output are a terminal, {@link Shell}
 * reads the lines and shows the output; otherwise the output is the protocol's lines alone.
 */
public final class ChatClient {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int REPLY_TIMEOUT_MILLIS = 180_000;
  private static final long DELIVERY_WAIT_MILLIS = 3_000;
  /** With several login servers: how long a command goes on trying them in turn before it gives up. */
  private static final long FAILOVER_MILLIS = 15_000;

  private final LoginServers login;
  /** Whether an attempt of the command under way was cut off after it was sent (see {@link InDoubt}). */
  private boolean cutOff;
  private final ClientTls tls;
  private final Output output;
  /** Read by the deliveries (the broker link's thread) as well as by commands. */
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Vocabulary names = new Vocabulary(this::loggedIn);
  private Vertx vertx;

  ChatClient(InetSocketAddress login, PrintStream out) {
    this(new LoginServers(List.of(login)), ClientTls.plain(), out);
  }

  ChatClient(InetSocketAddress login, ClientTls tls, PrintStream out) {
    this(new LoginServers(List.of(login)), tls, new Output(out));
  }

  ChatClient(LoginServers login, ClientTls tls, PrintStream out) {
    this(login, tls, new Output(out));
  }

  ChatClient(LoginServers login, ClientTls tls, Output output) {
    this.login = login;
    this.tls = tls;
    this.output = output;
  }

  /** Where typed lines come from: standard input as it is, or a terminal's line editor. */
  interface LineSource {
    /** The next line, or null at the end of the input. */
    String next() throws IOException;
  }

  public static void main(String[] args) {
    Main.withoutIdleRecorderEvents();
    System.exit(Launch.COMMAND_LINE.run(args, System.out, System.err, parsed -> Launch.of(parsed).call()));
  }

  /** The command line: {@code client IP PORT} as ever, or several login servers, TLS on request. */
  static final class Launch implements Callable<Integer> {
    static final CommandLineSpec COMMAND_LINE = new CommandLineSpec("client", "IP [PORT]",
        "Reads chat commands on standard input and prints the results on standard output. "
            + "In a terminal (standard input and output both) it edits lines, keeps history, completes "
            + "commands and names with Tab and prints messages above the line being typed; "
            + "type help there. Otherwise it prints only the protocol's lines.\n\n"
            + "IP: the login server's address, or several as HOST:PORT,HOST2:PORT2 (then no PORT): "
            + "the client moves to the next when one does not answer.\nPORT: the login server's port.")
        .flag("tls", "speak TLS and verify the servers' certificate")
        .option("ca", "FILE", "CA or server certificate (PEM) to verify against (implies --tls; default: the JVM's trust store)")
        .flag("plain", "no line editing, prompt or colour even in a terminal: only the protocol's lines")
        .option("history", "FILE", "where a terminal session keeps typed lines, passwords left out "
            + "(default: $XDG_STATE_HOME/chat/history, else ~/.local/state/chat/history)");

    String host;
    Integer port;
    boolean tls;
    Path ca;
    boolean plain;
    Path history;

    static Launch of(CommandLineSpec.Args args) throws CommandLineSpec.UsageException {
      List<String> positional = args.positional();
      if (positional.isEmpty() || positional.size() > 2) {
        throw new CommandLineSpec.UsageException("takes IP and PORT, or HOST:PORT,HOST2:PORT2");
      }
      Launch l = new Launch();
      l.host = positional.get(0);
      if (positional.size() == 2) {
        try {
          l.port = Integer.valueOf(positional.get(1).trim());
        } catch (NumberFormatException e) {
          throw new CommandLineSpec.UsageException("PORT must be a whole number");
        }
      }
      l.tls = args.has("tls");
      l.ca = args.path("ca");
      l.plain = args.has("plain");
      l.history = args.path("history");
      return l;
    }

    @Override
    public Integer call() throws Exception {
      ClientTls transport;
      try {
        transport = tls || ca != null ? ClientTls.trusting(ca) : ClientTls.plain();
      } catch (IOException e) {
        System.err.println("client: " + e.getMessage());
        return 2;
      }
      LoginServers login;
      try {
        login = LoginServers.parse(host, port);
      } catch (IllegalArgumentException e) {
        System.err.println("client: " + e.getMessage());
        return 2;
      }
      if (!plain && Shell.inTerminal()) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
          Shell shell = new Shell(terminal, System.getenv("NO_COLOR") == null || System.getenv("NO_COLOR").isEmpty());
          return shell.run(output -> new ChatClient(login, transport, output),
              history != null ? history : Shell.defaultHistory(System.getenv()));
        }
      }
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
      ChatClient client = new ChatClient(login, transport, out);
      int status = client.run(System.in);
      out.flush();
      return status;
    }
  }

  /** Reads and runs commands until the input ends or {@code exit}; 1 when a server could not be trusted. */
  int run(InputStream in) throws IOException, InterruptedException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    return run(reader::readLine);
  }

  /** The same with lines from {@code lines}. */
  int run(LineSource lines) throws IOException, InterruptedException {
    try {
      String line;
      while ((line = lines.next()) != null) {
        if (line.equals(ClientProtocol.EXIT)) {
          break;
        }
        if (!line.isBlank()) {
          command(line);
        }
      }
    } catch (Refused e) {
      warn("client: " + e.getMessage() + "; stopping");
      return 1;
    } finally {
      shutdown();
    }
    return 0;
  }

  private void command(String line) throws InterruptedException {
    resubscribeIfBrokerLost();
    List<String> words = Request.parse(line).words();
    Command c = Command.byWord(words.get(0));
    Session session = words.size() > 1 ? sessions.get(words.get(1)) : null;
    String text = ClientProtocol.rewrite(line, u -> sessions.containsKey(u) ? sessions.get(u).token : null);
    boolean toApp = c != null && c.role == Command.Role.APP && session != null && session.server != null;
    output.beginCommand();
    cutOff = false;
    JsonObject reply = send(text, toApp ? session : null);
    if (cutOff) {
      reply = settled(c, words, reply);
    }
    output.print(ClientProtocol.print(c, reply), Reply.isOk(reply));
    names.learn(line, reply);
    Predicate<JsonObject> match = b -> false;
    int expected = 0;
    if (c != null && Reply.isOk(reply)) {
      switch (c) {
        case LOGIN -> loggedIn(words.get(1), reply);
        case LOGOUT, DELETE -> forget(words.get(1));
        case CREATE_GROUP, JOIN_GROUP -> joined(session, words.get(2), reply.getString("channel"));
        case SEND -> {
          JsonObject want = Deliveries.direct(words.get(1), words.get(2), tail(words, 3));
          match = want::equals;
          expected = sessions.containsKey(words.get(2)) ? 1 : 0;
        }
        case SEND_GROUP -> {
          JsonObject want = Deliveries.group(words.get(1), words.get(2), tail(words, 3));
          match = want::equals;
          expected = (int) sessions.values().stream().filter(s -> s.groups.contains(words.get(2))).count();
        }
        default -> { }
      }
    }
    output.endCommand(match, expected, DELIVERY_WAIT_MILLIS);
  }

  /**
   * Sends to the user's application server when it has one, else to the login server. When
   * the application server cannot be reached, the login server (which forwards, and tells
   * the current server) is asked once more.
   */
  private JsonObject send(String text, Session session) {
    if (session != null) {
      try {
        return exchange(session.server, text);
      } catch (ClientTls.Untrusted e) {
        throw new Refused(e);
      } catch (IOException e) {
        warn("client: application server " + session.server + " unreachable (" + e.getMessage()
            + "), asking the login server");
      }
    }
    try {
      JsonObject reply = askLogin(text);
      JsonObject server = reply.getJsonObject("server");
      if (session != null && server != null) {
        session.server = new InetSocketAddress(server.getString("host"), server.getInteger("port"));
      }
      return reply;
    } catch (ClientTls.Untrusted e) {
      throw new Refused(e);
    } catch (IOException e) {
      return Reply.fail("Server unreachable");
    }
  }

  /**
   * Asks the login server that last answered; with several, the next ones in turn when it does
   * not, for up to {@link #FAILOVER_MILLIS}. A command cut off after it was sent is sent again,
   * as it is to an application server that went away: it may then be done twice.
   */
  private JsonObject askLogin(String text) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAILOVER_MILLIS);
    while (true) {
      InetSocketAddress to = login.current();
      try {
        return exchange(to, text);
      } catch (ClientTls.Untrusted e) {
        throw e;
      } catch (IOException e) {
        boolean more = login.size() > 1 && System.nanoTime() < deadline;
        warn("client: login server " + to + " unreachable: " + e.getMessage() + (more ? ", trying the next" : ""));
        if (!more) {
          throw e;
        }
        if (login.next()) {
          pause();
        }
      }
    }
  }

  /** Between two rounds of every login server: they may be changing over. */
  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private JsonObject exchange(InetSocketAddress to, String text) throws IOException {
    try (Socket socket = tls.connect(to, CONNECT_TIMEOUT_MILLIS, REPLY_TIMEOUT_MILLIS)) {
      OutputStream out = socket.getOutputStream();
      out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      try {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          reply.write(b);
        }
        if (reply.size() == 0) {
          throw new IOException("connection closed without a reply");
        }
        return new JsonObject(reply.toString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // sent, and no answer: the server may have done it
        cutOff = true;
        throw e;
      }
    } catch (io.vertx.core.json.DecodeException e) {
      throw new IOException("reply is not JSON: " + e.getMessage());
    }
  }

  /**
   * The answer to print for a command one of whose attempts was cut off: when the last attempt
   * says it was already done, the first one was ({@link InDoubt}), after a read where one is needed.
   */
  private JsonObject settled(Command c, List<String> words, JsonObject again) {
    InDoubt.Verdict v = InDoubt.settle(c, words, again);
    if (v.check() == null) {
      return v.reply();
    }
    List<String> checkWords = Request.parse(v.check()).words();
    Command read = Command.byWord(checkWords.get(0));
    Session s = sessions.get(checkWords.get(1));
    String text = ClientProtocol.rewrite(v.check(), u -> sessions.containsKey(u) ? sessions.get(u).token : null);
    JsonObject answer = send(text, read.role == Command.Role.APP && s != null && s.server != null ? s : null);
    if (read == Command.LOGIN && Reply.isOk(answer) && answer.getString("token") != null) {
      send(Command.LOGOUT.word + " " + answer.getString("token"), null);
    }
    return v.confirms(answer, read) ? v.reply() : again;
  }

  private void loggedIn(String user, JsonObject reply) {
    Session existing = sessions.get(user);
    InetSocketAddress server = address(reply.getJsonObject("server"));
    if (existing != null) {
      existing.token = reply.getString("token");
      existing.server = server;
      return;
    }
    Session s = new Session(user, reply.getString("token"), server);
    // a pair's login reply lists both brokers ("brokers"); "broker" is the first of them
    JsonArray brokers = reply.getJsonArray("brokers");
    s.brokerUrl = brokers == null || brokers.isEmpty() ? reply.getString("broker")
        : String.join(",", brokers.getList().stream().map(String::valueOf).toList());
    sessions.put(user, s);
    JsonArray channels = reply.getJsonArray("channel", new JsonArray());
    for (int i = 0; i < channels.size(); i++) {
      JsonObject ch = channels.getJsonObject(i);
      if (ch.getInteger("type", 0) == Deliveries.GROUP) {
        subscribe(s, Channels.groupAddress(ch.getString("channel")));
        s.groups.add(ch.getString("name"));
      } else {
        subscribe(s, Channels.personalAddress(ch.getString("channel")));
      }
    }
  }

  private void joined(Session s, String group, String channel) {
    if (s != null && channel != null && s.groups.add(group)) {
      subscribe(s, Channels.groupAddress(channel));
    }
  }

  /**
   * The user logged out or was deleted: its deliveries stop here. Its link is closed before the
   * next command, so the broker routes nothing more to it; a delivery already on its way is
   * dropped ({@link #subscribe}).
   */
  private void forget(String user) {
    Session s = sessions.remove(user);
    if (s != null && s.link != null) {
      try {
        await(s.link.close());
      } catch (IllegalStateException e) {
        warn("client: broker connection of " + user + " not closed: " + e.getMessage());
      }
    }
  }

  /**
   * A user's link that lost its broker (restarted, failed over) subscribes again by itself; a
   * command does not wait for its back-off: the link is opened again now, with every
   * subscription, before the command is sent, so the deliveries it causes are printed.
   */
  private void resubscribeIfBrokerLost() {
    for (Session s : sessions.values()) {
      if (s.link != null && !s.link.connected()) {
        try {
          await(s.link.connect());
        } catch (IllegalStateException e) {
          warn("client: broker connection of " + s.user + " lost: " + e.getMessage());
        }
      }
    }
  }

  /**
   * Subscribes and waits until the broker has attached the link, so no delivery is missed. The
   * user's link subscribes again by itself after a lost connection (a broker restarted or
   * failed over). Only the deliveries of a user still logged in are printed.
   */
  private void subscribe(Session s, String address) {
    try {
      await(link(s).receive(address, msg -> {
        if (sessions.get(s.user) == s) {
          delivered(msg);
        }
      }));
    } catch (Exception e) {
      warn("client: cannot subscribe to " + address + ": " + e.getMessage());
    }
  }

  private void delivered(AmqpMessage msg) {
    try {
      JsonObject body = new JsonObject(msg.bodyAsString());
      String line = ClientProtocol.delivery(body);
      if (line != null) {
        names.learnDelivery(body);
        output.deliver(body, line);
      }
    } catch (RuntimeException e) {
      warn("client: unreadable delivery: " + e.getMessage());
    }
  }

  /**
   * The user's own link to the broker (each broker of a pair in turn), on which it proves itself
   * with its name and token; an external broker that does not know the service's users may still
   * let clients read channels anonymously (legacy clients): it decides, the client only asks.
   */
  private BrokerLink link(Session s) {
    if (s.link != null) {
      return s.link;
    }
    if (s.brokerUrl == null) {
      throw new IllegalStateException("no broker address known yet");
    }
    if (vertx == null) {
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    }
    List<String> urls = List.of(s.brokerUrl.split(",")).stream().map(String::trim).toList();
    BrokerLink mine = connected(urls.stream().map(u -> tls.amqp(u, s.user, s.token)).toList(), "client of " + s.user);
    if (mine == null) {
      warn("client: the broker refused " + s.user + "'s token, trying without");
      mine = connected(urls.stream().map(u -> tls.amqp(u, null, null)).toList(), "client");
    }
    if (mine == null) {
      throw new IllegalStateException("no broker of " + s.brokerUrl + " could be reached");
    }
    s.link = mine;
    return mine;
  }

  /** A link that could connect to one of {@code brokers}, trying each once; null when none took it. */
  private BrokerLink connected(List<AmqpClientOptions> brokers, String name) {
    BrokerLink link = new BrokerLink(vertx, brokers, name);
    for (int i = 0; i < brokers.size(); i++) {
      try {
        await(link.connect());
        return link;
      } catch (IllegalStateException e) {
        // the next broker of the pair is tried (a passive backup refuses at once)
      }
    }
    link.close();
    return null;
  }

  private static InetSocketAddress address(JsonObject server) {
    return server == null ? null : new InetSocketAddress(server.getString("host"), server.getInteger("port"));
  }

  private static String tail(List<String> words, int from) {
    return words.size() > from ? String.join(" ", words.subList(from, words.size())) : "";
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Diagnostics: on standard error, or above the line being typed; they may quote remote text, so are made safe too. */
  private void warn(String line) {
    output.notice(line);
  }

  /** The users logged in through this client, by name. */
  List<String> loggedIn() {
    return sessions.keySet().stream().sorted().toList();
  }

  /** The names this client has learned, for completion. */
  Vocabulary names() {
    return names;
  }

  Output output() {
    return output;
  }

  /** A server that could not be trusted: nothing more is sent, to it or any other. */
  private static final class Refused extends RuntimeException {
    Refused(ClientTls.Untrusted cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Leaves: each user's broker link closed first, so that none takes the end of Vert.x for a lost connection. */
  private void shutdown() {
    List<Future<Void>> closed = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (s.link != null) {
        closed.add(s.link.close());
      }
    }
    sessions.clear();
    try {
      Future.join(closed).await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // leaving anyway
    }
    if (vertx != null) {
      try {
        vertx.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // leaving anyway
      }
    }
  }
}
