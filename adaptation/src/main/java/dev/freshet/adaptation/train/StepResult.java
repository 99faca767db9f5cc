package dev.freshet.adaptation.train;

/**
 * What one optimizer step did.
 *
 * @param applied false when the step was refused (the weights were not touched)
 * @param loss the loss before the update (NaN or infinite when refused for that)
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param refusal why the step was refused, or null
 */
public record StepResult(boolean applied, float loss, float gradNorm, String refusal) {

    static StepResult refused(float loss, float gradNorm, String why) {
        return new StepResult(false, loss, gradNorm, why);
    }
}
