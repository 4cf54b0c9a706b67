package chat.support;

import chat.Main;
import io.netty.util.internal.PlatformDependent;

/** A JVM's view of Netty's recorder events after the entry points' set-up: prints {@code true} or {@code false}. */
public final class NettyRecorderProbe {
  private NettyRecorderProbe() { }

  public static void main(String[] args) {
    Main.withoutIdleRecorderEvents();
    System.out.println("netty-recorder-events=" + PlatformDependent.isJfrEnabled());
  }
}
