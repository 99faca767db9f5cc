package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diagonal preconditioner {@code P = 1/(√v̂ + ε)} that online learning's Adam applies once its second-moment
 * estimate has settled over a stream: v̂ is estimated here as the mean squared gradient of single documents'
 * uniform losses at θ (Adam's β₂ = 0.999 averages about a thousand of them), ε at least a hundredth of each
 * tensor's mean √v̂.
 *
 * <p>Why: test-time adaptation takes Adam steps (arXiv 2305.15076 §4), and Adam divides every coordinate by its
 * own gradient scale, so how large a token's weight is matters less than which coordinates it moves. A plain SGD
 * inner step rewards the opposite: a few heavily weighted tokens take a step no Adam stream would take. With P the
 * inner step {@code θ − α P ∇L_in} is a document's share of the stream's update (Adam's momentum spreads each
 * gradient over later steps, with total weight 1), while staying linear in the token weights, so the
 * meta-gradient stays exact ({@link MetaGradient#withPreconditioner}).
 */
public final class AdamPreconditioner {

    private AdamPreconditioner() {}

    /**
     * P from the documents' rows (each row's uniform loss, one gradient each), as arrays attached to {@code owner}
     * that outlive every scope.
     *
     * @param eps Adam's ε (1e-8 in PyTorch's default), raised per tensor to a hundredth of its mean √v̂
     */
    public static Map<String, NDArray> estimate(InnerParameters inner, List<MetaBatch> batches, double eps, NDManager owner, PrintStream log) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        int rows = 0;
        try (NDScope scope = new NDScope(); NDManager m = inner.model().manager().newSubManager()) {
            Map<String, NDArray> sumSquares = new LinkedHashMap<>();
            for (MetaBatch b : batches) {
                double[] uniform = b.constantWeights(1);
                for (int r = 0; r < b.docs(); r++) {
                    // one scope per row: a backward pass's activations are freed before the next, only the sums stay
                    try (NDScope row = new NDScope()) {
                        Map<String, NDArray> g = rowGradient(inner, m, b, uniform, r);
                        g.forEach((k, a) -> {
                            NDArray sum = sumSquares.containsKey(k) ? sumSquares.get(k).add(a.square()) : a.square();
                            NDScope.unregister(sum);
                            NDArray previous = sumSquares.put(k, sum);
                            if (previous != null) {
                                previous.close();
                            }
                        });
                    }
                    rows++;
                }
            }
            if (rows == 0) {
                throw new IllegalArgumentException("the Adam preconditioner needs at least one document");
            }
            double mean = 0;
            long count = 0;
            for (Map.Entry<String, NDArray> e : sumSquares.entrySet()) {
                NDArray rms = e.getValue().div(rows).sqrt();
                // A coordinate no sampled document moved (an embedding row of an unseen token) would get 1/ε: floor
                // the denominator at a hundredth of the tensor's mean scale, about what Adam's own first step allows.
                double floor = Math.max(eps, 0.01 * rms.toType(DataType.FLOAT64, false).mean().getDouble());
                NDArray pk = rms.add(floor).pow(-1);
                mean += pk.toType(DataType.FLOAT64, false).sum().getDouble();
                count += pk.size();
                NDScope.unregister(pk);
                pk.attach(owner);
                p.put(e.getKey(), pk);
            }
            log.printf("Adam preconditioner from %d document rows: mean 1/(√v̂+ε) %.3g%n", rows, mean / count);
        }
        return p;
    }

    /** ∇ of one row's uniform loss {@code s_r Σ_t ℓ_rt}; {@code uniform} is the batch's weights of 1. */
    private static Map<String, NDArray> rowGradient(InnerParameters inner, NDManager m, MetaBatch b, double[] uniform, int r) {
        MetaGradient.Rows row = MetaGradient.rows(inner, m, b, uniform, r, r + 1, DataType.FLOAT32);
        return MetaGradient.gradient(inner.values(), row::loss);
    }
}
