package dev.freshet.adaptation.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

import org.junit.jupiter.api.Test;

/** AdamW and SGD against their update rules written out in plain Java. */
class OptimizerTest {

    private static final float[] P = {0.5f, -1.2f, 3f, 0f};
    private static final float[][] G = {{0.1f, -0.3f, 2f, 0f}, {-0.2f, 0.4f, 1f, 1e-3f}, {0.05f, 0.05f, -3f, 0.5f}};

    @Test
    void adamWMatchesTheNaiveRule() {
        float lr = 0.01f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-8f;
        float wd = 0.1f;
        double[] p = new double[P.length];
        double[] m = new double[P.length];
        double[] v = new double[P.length];
        for (int i = 0; i < P.length; i++) {
            p[i] = P[i];
        }
        try (NDManager nd = NDManager.newBaseManager(); NDScope s = new NDScope(); Optimizer opt = new Optimizer.AdamW(nd, lr, b1, b2, eps, wd)) {
            NDArray param = nd.create(P.clone());
            for (int t = 1; t <= G.length; t++) {
                opt.update("w", param, nd.create(G[t - 1]), lr, t);
                for (int i = 0; i < P.length; i++) {
                    double g = G[t - 1][i];
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    p[i] *= 1 - lr * wd;
                    p[i] -= lr * (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
                }
            }
            float[] got = param.toFloatArray();
            for (int i = 0; i < P.length; i++) {
                assertEquals(p[i], got[i], 1e-5, "parameter " + i);
            }
        }
    }

    @Test
    void sgdWithMomentumMatchesTheNaiveRule() {
        float lr = 0.1f;
        float mu = 0.9f;
        double[] p = new double[P.length];
        double[] vel = new double[P.length];
        for (int i = 0; i < P.length; i++) {
            p[i] = P[i];
        }
        try (NDManager nd = NDManager.newBaseManager(); NDScope s = new NDScope(); Optimizer opt = new Optimizer.Sgd(nd, lr, mu)) {
            NDArray param = nd.create(P.clone());
            for (int t = 1; t <= G.length; t++) {
                opt.update("w", param, nd.create(G[t - 1]), lr, t);
                for (int i = 0; i < P.length; i++) {
                    vel[i] = mu * vel[i] + G[t - 1][i];
                    p[i] -= lr * vel[i];
                }
            }
            float[] got = param.toFloatArray();
            for (int i = 0; i < P.length; i++) {
                assertEquals(p[i], got[i], 1e-5, "parameter " + i);
            }
        }
    }
}
