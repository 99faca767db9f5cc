package dev.freshet.adaptation.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

import java.util.HashMap;
import java.util.Map;

/**
 * In-place parameter updates from gradients. State (AdamW moments) lives in the optimizer's own manager,
 * which the owner closes with the parameters it trains.
 */
public sealed interface Optimizer extends AutoCloseable permits Optimizer.AdamW, Optimizer.Sgd {

    /** Applies one update with learning rate {@code lr}; {@code step} counts from 1. */
    void update(String name, NDArray param, NDArray grad, float lr, long step);

    /** The configured base learning rate. */
    float learningRate();

    @Override
    void close();

    /** Optimizer state is created inside a step's scope but must outlive it. */
    private static NDArray persistent(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    /** AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient. */
    final class AdamW implements Optimizer {
        private final float lr;
        private final float beta1;
        private final float beta2;
        private final float eps;
        private final float weightDecay;
        private final NDManager state;
        private final Map<String, NDArray[]> moments = new HashMap<>();

        public AdamW(NDManager parent, float lr, float beta1, float beta2, float eps, float weightDecay) {
            this.lr = lr;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
            this.state = parent.newSubManager();
        }

        public AdamW(NDManager parent, float lr, float weightDecay) {
            this(parent, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
        }

        @Override
        public void update(String name, NDArray param, NDArray grad, float lr, long step) {
            NDArray[] mv = moments.computeIfAbsent(name, k -> new NDArray[] {persistent(state.zeros(param.getShape())), persistent(state.zeros(param.getShape()))});
            mv[0].muli(beta1).addi(grad.mul(1 - beta1)); // m ← β1 m + (1−β1) g
            mv[1].muli(beta2).addi(grad.square().mul(1 - beta2)); // v ← β2 v + (1−β2) g²
            double c1 = 1 - Math.pow(beta1, step);
            double c2 = 1 - Math.pow(beta2, step);
            if (weightDecay > 0) {
                param.muli(1 - lr * weightDecay);
            }
            // θ ← θ − lr · m̂ / (√v̂ + ε), with the bias corrections folded into scalars
            NDArray denom = mv[1].div((float) c2).sqrt().add(eps);
            param.subi(mv[0].div(denom).mul((float) (lr / c1)));
        }

        @Override
        public float learningRate() {
            return lr;
        }

        @Override
        public void close() {
            state.close();
        }
    }

    /** Plain SGD, optionally with momentum. */
    final class Sgd implements Optimizer {
        private final float lr;
        private final float momentum;
        private final NDManager state;
        private final Map<String, NDArray> velocity = new HashMap<>();

        public Sgd(NDManager parent, float lr, float momentum) {
            this.lr = lr;
            this.momentum = momentum;
            this.state = parent.newSubManager();
        }

        @Override
        public void update(String name, NDArray param, NDArray grad, float lr, long step) {
            if (momentum == 0f) {
                param.subi(grad.mul(lr));
                return;
            }
            NDArray v = velocity.computeIfAbsent(name, k -> persistent(state.zeros(param.getShape())));
            v.muli(momentum).addi(grad);
            param.subi(v.mul(lr));
        }

        @Override
        public float learningRate() {
            return lr;
        }

        @Override
        public void close() {
            state.close();
        }
    }
}
