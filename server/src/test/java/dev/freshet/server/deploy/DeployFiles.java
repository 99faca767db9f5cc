package dev.freshet.server.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files under the repository's {@code deploy/} directory, found from the server module (Failsafe sets {@code basedir}). */
final class DeployFiles {

    private DeployFiles() {}

    static Path path(String relative) {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path file = module.resolveSibling("deploy").resolve(relative).normalize();
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("no " + file + " (deploy/ is a sibling of the server module)");
        }
        return file;
    }
}
