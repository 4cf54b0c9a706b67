package chat.store;

/** A group and the channel its messages travel on. */
public record Group(long seq, String name, String channel) { }
