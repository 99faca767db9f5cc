package dev.freshet.streams.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Finds a free loopback port by letting the OS pick one. Another process could take it before the
 * broker binds it; that race is narrow, and the broker then fails to start with a clear bind error.
 */
final class FreePort {

    private FreePort() {}

    /**
     * Fails fast, with a message a person can act on, if {@code port} is taken on loopback; the
     * broker's own bind failure comes after formatting and with three stack traces.
     */
    static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the broker sets it: a port in TIME_WAIT counts as free
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException e) {
            throw new IllegalStateException("port 127.0.0.1:" + port + " is in use (another Kafka broker?): " + e.getMessage(), e);
        }
    }

    static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
