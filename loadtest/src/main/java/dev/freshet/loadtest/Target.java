package dev.freshet.loadtest;

import dev.freshet.streams.kafka.Topics;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The server a scenario loads: its HTTP base URL and its Kafka bootstrap servers and topic prefix. Load
 * goes to loopback only, so a scenario can never be pointed at someone else's machine by a typo: every
 * host must resolve to a loopback address.
 *
 * @param http e.g. {@code http://127.0.0.1:8080/}
 * @param bootstrap e.g. {@code 127.0.0.1:9092}
 * @param topics the server's topic names
 */
public record Target(URI http, String bootstrap, Topics topics) {

    public Target {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(topics, "topics");
        if (!"http".equals(http.getScheme()) || http.getHost() == null) {
            throw new IllegalArgumentException("--url must be http://HOST:PORT, got " + http);
        }
        requireLoopback(http.getHost(), "--url");
        for (String server : bootstrap.split(",")) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--kafka must be HOST:PORT[,HOST:PORT...], got " + bootstrap);
            }
            requireLoopback(server.substring(0, colon).replace("[", "").replace("]", ""), "--kafka");
        }
        if (!http.getPath().endsWith("/")) {
            http = URI.create(http + "/");
        }
    }

    public static Target of(String url, String bootstrap, String topicPrefix) {
        return new Target(URI.create(url), bootstrap, new Topics(topicPrefix));
    }

    private static void requireLoopback(String host, String option) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException(option + ": load goes to loopback only; " + host + " is " + a.getHostAddress());
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": unknown host " + host, e);
        }
    }
}
