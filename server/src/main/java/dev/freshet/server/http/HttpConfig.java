package dev.freshet.server.http;

/**
 * Settings of the HTTP API, validated once; the composition root builds this from its configuration table.
 *
 * @param host address to bind ({@code 127.0.0.1} for local only)
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxBodyBytes largest request body accepted; larger ones get 413
 * @param maxInFlight completions and score requests running or queued at once; more get 429
 * @param inferenceThreads threads of the {@code freshet-infer} pool that run model calls
 * @param maxTokensLimit largest {@code max_tokens} a completion may ask for
 * @param adminToken bearer token required by write and admin routes; null leaves them open
 */
public record HttpConfig(String host, int port, long maxBodyBytes, int maxInFlight, int inferenceThreads, int maxTokensLimit, String adminToken) {

    public HttpConfig {
        require(host != null && !host.isBlank(), "http host must be set");
        require(port >= 0 && port <= 65535, "http port must be in 0..65535, got " + port);
        require(maxBodyBytes >= 1024, "max body bytes must be at least 1024, got " + maxBodyBytes);
        require(maxInFlight >= 1, "max in-flight requests must be at least 1, got " + maxInFlight);
        require(inferenceThreads >= 1, "inference threads must be at least 1, got " + inferenceThreads);
        require(maxTokensLimit >= 1, "max tokens limit must be at least 1, got " + maxTokensLimit);
        adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
    }

    /** Port 8080 on all interfaces, 1 MiB bodies, 64 in flight, 2 inference threads, 512 tokens, no token. */
    public static HttpConfig defaults() {
        return new HttpConfig("0.0.0.0", 8080, 1 << 20, 64, 2, 512, null);
    }

    public HttpConfig withHost(String h) {
        return new HttpConfig(h, port, maxBodyBytes, maxInFlight, inferenceThreads, maxTokensLimit, adminToken);
    }

    public HttpConfig withPort(int p) {
        return new HttpConfig(host, p, maxBodyBytes, maxInFlight, inferenceThreads, maxTokensLimit, adminToken);
    }

    public HttpConfig withLimits(long bodyBytes, int inFlight) {
        return new HttpConfig(host, port, bodyBytes, inFlight, inferenceThreads, maxTokensLimit, adminToken);
    }

    public HttpConfig withInferenceThreads(int n) {
        return new HttpConfig(host, port, maxBodyBytes, maxInFlight, n, maxTokensLimit, adminToken);
    }

    public HttpConfig withAdminToken(String token) {
        return new HttpConfig(host, port, maxBodyBytes, maxInFlight, inferenceThreads, maxTokensLimit, token);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
