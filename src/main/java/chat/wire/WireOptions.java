package chat.wire;

/**
 * Limits of the request server.
 *
 * @param maxRequestBytes longest request accepted; a longer one is answered and the connection closed
 * @param quietMillis     a reference-mode request (no terminator) is complete when this long passes
 *                        without more bytes, or when the client half-closes; a small request that
 *                        arrived whole in the connection's first read is answered without this
 *                        wait (see {@link RequestServer})
 * @param firstByteMillis a connection that sends nothing for this long is closed
 * @param idleSeconds     a persistent connection idle this long is closed
 * @param maxPipelined    requests read ahead on one persistent connection before reading pauses
 */
public record WireOptions(int maxRequestBytes, int quietMillis, int firstByteMillis, int idleSeconds,
                          int maxPipelined) {
  public static WireOptions defaults() {
    return new WireOptions(64 * 1024, 2, 5_000, 300, 64);
  }
}
