package chat.config;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An entry point's command line: values after or joined to their option, help, and what a wrong line gets. */
class CommandLineSpecTest {
  enum Colour { red, green }

  private static CommandLineSpec spec() {
    return new CommandLineSpec("demo", "", "A demonstration.")
        .option("port", "PORT", "a port")
        .option("name", "NAME", "a name")
        .option("colour", "COLOUR", "red or green")
        .flag("tls", "on or off")
        .option("file", "FILE", "a file")
        .repeatable("set", "KEY=VALUE", "settings");
  }

  @Test
  void aValueFollowsItsOptionOrIsJoinedToIt() throws Exception {
    CommandLineSpec.Args args = spec().parse("--port", "8888", "--name=app", "--colour", "GREEN", "--tls",
        "--file", "/tmp/x.pem");
    assertEquals(8888, args.integer("port", null));
    assertEquals("app", args.string("name", null));
    assertEquals(Colour.green, args.choice("colour", Colour.class, Colour.red));
    assertTrue(args.has("tls"));
    assertEquals(Path.of("/tmp/x.pem"), args.path("file"));
  }

  @Test
  void absentOptionsGiveWhatTheCallerSays() throws Exception {
    CommandLineSpec.Args args = spec().parse();
    assertEquals(7, args.integer("port", 7));
    assertNull(args.string("name", null));
    assertEquals(Colour.red, args.choice("colour", Colour.class, Colour.red));
    assertFalse(args.has("tls"));
    assertNull(args.path("file"));
    assertEquals(Map.of(), args.keyValues("set"));
  }

  @Test
  void aRepeatableOptionKeepsEveryPairInOrderAndSplitsAtTheFirstEquals() throws Exception {
    Map<String, String> set = spec().parse("--set", "a.b=1", "--set=c=x=y", "--set", "a.b=2").keyValues("set");
    assertEquals(List.of("a.b", "c"), List.copyOf(set.keySet()));
    assertEquals("2", set.get("a.b"));
    assertEquals("x=y", set.get("c"));
  }

  @Test
  void wrongLinesAreRefusedWithAReasonThatQuotesNoValue() throws Exception {
    assertEquals("--port takes a whole number", reason(() -> spec().parse("--port", "eighty").integer("port", null)));
    assertEquals("--colour takes one of red, green",
        reason(() -> spec().parse("--colour", "blue").choice("colour", Colour.class, null)));
    assertEquals("--set takes KEY=VALUE", reason(() -> spec().parse("--set", "secret").keyValues("set")));
    assertEquals("--name is given more than once", reason(() -> spec().parse("--name", "a", "--name", "b")));
    assertEquals("unknown option --password", reason(() -> spec().parse("--password=hunter2")));
    assertEquals("takes no arguments, only options", reason(() -> spec().parse("stray")));
    assertTrue(reason(() -> spec().parse("--port")).contains("port"));
  }

  @Test
  void longOptionsAreNeverAbbreviated() {
    assertEquals("unknown option --por", reason(() -> spec().parse("--por", "1")));
  }

  @Test
  void helpIsPrintedWithStatusZeroAndAWrongLineGetsItsReasonAndTheUsageWithStatusTwo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] ran = {0};
    CommandLineSpec.Body body = a -> ++ran[0];
    assertEquals(0, spec().run(new String[] {"--help"}, print(out), print(err), body));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("usage: demo [options]"), help);
    assertTrue(help.contains("A demonstration.") && help.contains("--port <PORT>") && help.contains("--set <KEY=VALUE>"), help);
    assertTrue(help.indexOf("--port") < help.indexOf("--name") && help.indexOf("--name") < help.indexOf("--set"),
        "options in the order given: " + help);
    assertEquals(2, spec().run(new String[] {"--nope"}, print(out), print(err), body));
    String refused = err.toString(StandardCharsets.UTF_8);
    assertTrue(refused.startsWith("demo: unknown option --nope"), refused);
    assertTrue(refused.contains("usage: demo [options]"), refused);
    assertEquals(0, ran[0]);
    assertEquals(1, spec().run(new String[] {"--tls"}, print(out), print(err), body));
    assertEquals(1, ran[0]);
  }

  private interface Parse {
    void run() throws Exception;
  }

  private static String reason(Parse parse) {
    return assertThrows(CommandLineSpec.UsageException.class, parse::run).getMessage();
  }

  private static PrintStream print(ByteArrayOutputStream to) {
    return new PrintStream(to, true, StandardCharsets.UTF_8);
  }
}
