package dev.kindling.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks TCP ports that are free on the loopback address at the time of the call. */
public final class FreePorts {

  private FreePorts() {}

  /**
   * Returns {@code count} different ports that were free on {@code 127.0.0.1}.
   *
   * <p>Another process may take a port before the caller binds it; callers retry on a bind
   * failure.
   *
   * @param count how many ports
   * @return the ports
   */
  public static int[] pick(int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets[i].setReuseAddress(true);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }
}
