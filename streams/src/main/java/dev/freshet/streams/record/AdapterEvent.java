package dev.freshet.streams.record;

/**
 * The announcement of a new adapter version for a tenant, published on the compacted adapters
 * topic (keyed by tenant, so compaction keeps each tenant's latest version).
 *
 * <p>Versions form a chain per tenant: the base model is version 0 and every adapter version names
 * the version it was trained from. A consumer that sees a version whose parent it does not hold
 * knows it missed one.
 *
 * @param tenant whose adapter this is
 * @param version this version, at least 1 (0 is the base model)
 * @param parentVersion the version this one was trained from: 0 up to {@code version - 1}
 * @param method the adaptation method that produced it, e.g. {@code "camels"} or {@code "locft-bf"}
 * @param manifestJson a JSON object describing the version (covered ids, metrics, hyperparameters);
 *     kept as text because its schema belongs to the adaptation module, not to Kafka plumbing
 * @param weights where the adapter weights are
 */
public record AdapterEvent(
        TenantId tenant, long version, long parentVersion, String method, String manifestJson, WeightsLocation weights) {

    /** @throws InvalidRecordException if a field is missing or the versions do not form a chain */
    public AdapterEvent {
        Texts.requireNonNull(tenant, "tenant");
        if (version < 1) {
            throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA,
                    "field 'version' must be at least 1 (0 is the base model), got " + version);
        }
        if (parentVersion < 0 || parentVersion >= version) {
            throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA,
                    "field 'parent_version' must be between 0 and version - 1 = " + (version - 1) + ", got " + parentVersion);
        }
        Texts.requireText(method, "method");
        Texts.requireText(manifestJson, "manifest");
        Texts.requireNonNull(weights, "weights");
    }
}
