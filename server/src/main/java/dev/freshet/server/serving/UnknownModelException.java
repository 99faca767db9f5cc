package dev.freshet.server.serving;

/** A request named a model that is neither {@code base} nor a tenant the registry serves (HTTP 404). */
public final class UnknownModelException extends RuntimeException {

    public UnknownModelException(String model) {
        super("model '" + model + "' does not exist: use 'base' or a tenant with a served adapter (GET /v1/models)");
    }
}
