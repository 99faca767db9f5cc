package dev.freshet.server.training;

/**
 * Whether inference requests are waiting: serving's claim on the CPU. The training worker asks it
 * before every gradient step and waits while it says yes (up to
 * {@link TrainingSettings#maxYield()}), so a request never queues behind more than the one step in
 * progress. Training never preempts a step: a step is tens of milliseconds on the default model.
 *
 * <p>The serving side implements it, typically as "the inference pool's queue is not empty". It is
 * called from the training thread, often: it must be cheap and must not block.
 */
@FunctionalInterface
public interface ServingPressure {

    /** Nothing ever waits: training runs flat out (tests, training-only deployments). */
    ServingPressure NONE = () -> false;

    /** True while requests are waiting for the model. */
    boolean requestsWaiting();
}
