package chat.config;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command line of one entry point (commons-cli): its long options in the order the help
 * lists them, {@code -h}/{@code --help}, and what a wrong line gets (the reason and the usage on
 * standard error, status {@value #USAGE_ERROR}). A value follows its option ({@code --port 8888})
 * or is joined to it ({@code --port=8888}); long options are never abbreviated, and one that
 * takes a single value takes it once.
 */
public final class CommandLineSpec {
  /** The status of a command line that could not be read. */
  public static final int USAGE_ERROR = 2;
  private static final String HELP = "help";
  private static final int WIDTH = 100;

  private final String name;
  private final String arguments;
  private final String description;
  private final Options options = new Options();
  private final Set<String> repeatable = new HashSet<>();

  /**
   * @param arguments the positional arguments for the usage line ({@code "IP [PORT]"}), or empty
   */
  public CommandLineSpec(String name, String arguments, String description) {
    this.name = name;
    this.arguments = arguments;
    this.description = description;
    options.addOption(Option.builder("h").longOpt(HELP).desc("show this help and exit").build());
  }

  /** {@code --name}, on or off. */
  public CommandLineSpec flag(String name, String description) {
    options.addOption(Option.builder().longOpt(name).desc(description).build());
    return this;
  }

  /** {@code --name VALUE}, at most once. */
  public CommandLineSpec option(String name, String label, String description) {
    options.addOption(Option.builder().longOpt(name).hasArg().argName(label).desc(description).build());
    return this;
  }

  /** {@code --name VALUE}, as often as wanted. */
  public CommandLineSpec repeatable(String name, String label, String description) {
    repeatable.add(name);
    return option(name, label, description);
  }

  /**
   * Runs {@code body} on the parsed line and returns its status: 0 after printing the help on
   * {@code out}, {@value #USAGE_ERROR} after printing why the line is wrong and the usage on
   * {@code err}, 1 after printing the stack trace of what {@code body} threw.
   */
  public int run(String[] args, PrintStream out, PrintStream err, Body body) {
    Args parsed;
    try {
      parsed = parse(args);
      if (parsed.has(HELP)) {
        printHelp(out);
        return 0;
      }
      return body.run(parsed);
    } catch (UsageException e) {
      err.println(name + ": " + e.getMessage());
      printHelp(err);
      return USAGE_ERROR;
    } catch (Exception e) {
      e.printStackTrace(err);
      return 1;
    }
  }

  /** What the entry point does with its parsed line; returns its exit status. */
  public interface Body {
    int run(Args args) throws Exception;
  }

  /** The line read against these options, or why it cannot be. */
  public Args parse(String... args) throws UsageException {
    CommandLine line;
    try {
      line = DefaultParser.builder().setAllowPartialMatching(false).setStripLeadingAndTrailingQuotes(false).build()
          .parse(options, args);
    } catch (UnrecognizedOptionException e) {
      String option = e.getOption();
      throw new UsageException("unknown option " + (option.contains("=") ? option.substring(0, option.indexOf('=')) : option));
    } catch (ParseException e) {
      throw new UsageException(e.getMessage());
    }
    if (arguments.isEmpty() && !line.getArgList().isEmpty()) {
      throw new UsageException("takes no arguments, only options");
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (Option o : line.getOptions()) {
      if (seen.merge(o.getLongOpt(), 1, Integer::sum) == 2 && !repeatable.contains(o.getLongOpt())) {
        throw new UsageException("--" + o.getLongOpt() + " is given more than once");
      }
    }
    return new Args(line);
  }

  /** The usage line, the description and the options. */
  public void printHelp(PrintStream to) {
    HelpFormatter help = new HelpFormatter();
    help.setOptionComparator(null);
    PrintWriter writer = new PrintWriter(new java.io.OutputStreamWriter(to, StandardCharsets.UTF_8));
    help.printHelp(writer, WIDTH, name + " [options]" + (arguments.isEmpty() ? "" : " " + arguments),
        description + System.lineSeparator() + System.lineSeparator(), options, 2, 2, "", false);
    writer.flush();
  }

  /** A command line that cannot be read: the message says why, quoting no value. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  /** The options and arguments of a parsed line, converted on request. */
  public static final class Args {
    private final CommandLine line;

    Args(CommandLine line) {
      this.line = line;
    }

    public boolean has(String name) {
      return line.hasOption(name);
    }

    /** The value of {@code --name}, or {@code otherwise} when it is not given. */
    public String string(String name, String otherwise) {
      return line.getOptionValue(name, otherwise);
    }

    /** The whole number {@code --name} gives, or {@code otherwise} when it is not given. */
    public Integer integer(String name, Integer otherwise) throws UsageException {
      String value = line.getOptionValue(name);
      if (value == null) {
        return otherwise;
      }
      try {
        return Integer.valueOf(value.trim());
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " takes a whole number");
      }
    }

    /** The file {@code --name} names, or null. */
    public Path path(String name) {
      String value = line.getOptionValue(name);
      return value == null ? null : Path.of(value);
    }

    /** The constant of {@code type} {@code --name} names (in any case), or {@code otherwise}. */
    public <E extends Enum<E>> E choice(String name, Class<E> type, E otherwise) throws UsageException {
      String value = line.getOptionValue(name);
      if (value == null) {
        return otherwise;
      }
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value.trim())) {
          return e;
        }
      }
      StringBuilder names = new StringBuilder();
      for (E e : type.getEnumConstants()) {
        names.append(names.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
      }
      throw new UsageException("--" + name + " takes one of " + names);
    }

    /** Every {@code KEY=VALUE} of a repeatable {@code --name}, in order; a later key wins. */
    public Map<String, String> keyValues(String name) throws UsageException {
      Map<String, String> pairs = new LinkedHashMap<>();
      String[] values = line.getOptionValues(name);
      if (values == null) {
        return pairs;
      }
      for (String v : values) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
          throw new UsageException("--" + name + " takes KEY=VALUE");
        }
        pairs.put(v.substring(0, eq), v.substring(eq + 1));
      }
      return pairs;
    }

    /** The arguments that are no option, in order. */
    public List<String> positional() {
      return line.getArgList();
    }
  }
}
