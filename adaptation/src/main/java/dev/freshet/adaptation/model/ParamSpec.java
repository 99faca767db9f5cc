package dev.freshet.adaptation.model;

import java.util.Arrays;

/**
 * One named parameter of an architecture: its Hugging Face name, its shape, and its role.
 *
 * <p>The role decides initialisation and, for projections, how the stored matrix is multiplied:
 * GPT-2's {@code Conv1D} stores {@code [in, out]} while {@code nn.Linear} stores {@code [out, in]}. Keeping
 * each checkpoint's own orientation means what is loaded is exactly what is saved.
 */
public record ParamSpec(String name, long[] shape, Role role) {

    /** What a parameter is for. */
    public enum Role {
        /** Projection weight stored [in, out] (GPT-2 Conv1D): y = x W. */
        PROJECTION_IN_OUT,
        /** Projection weight stored [out, in] (nn.Linear): y = x W^T. */
        PROJECTION_OUT_IN,
        /** Token or position embedding table [rows, C]. */
        EMBEDDING,
        /** Norm gain, initialised to one. */
        NORM_GAIN,
        /** Any bias, initialised to zero. */
        BIAS
    }

    public ParamSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long numel() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** True for the weight of a projection an adapter can attach to. */
    public boolean isProjection() {
        return role == Role.PROJECTION_IN_OUT || role == Role.PROJECTION_OUT_IN;
    }

    /** Input width of a projection. */
    public long inFeatures() {
        return role == Role.PROJECTION_IN_OUT ? shape[0] : shape[1];
    }

    /** Output width of a projection. */
    public long outFeatures() {
        return role == Role.PROJECTION_IN_OUT ? shape[1] : shape[0];
    }

    /** The module a projection weight belongs to: {@code h.3.mlp.c_proj.weight -> h.3.mlp.c_proj}. */
    public String module() {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + role;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape) && p.role == role;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
