package dev.freshet.adaptation.train;

/**
 * What one optimizer step did.
 *
 * @param applied false when the step was refused (the weights were not touched)
 * @param loss the loss before the update (NaN or infinite when refused for that)
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param refusal why the step was refused, or null
 * @param skipped true when the loss was already below the caller's skip threshold (not an error)
 */
public record StepResult(boolean applied, float loss, float gradNorm, String refusal, boolean skipped) {

    static StepResult applied(float loss, float gradNorm) {
        return new StepResult(true, loss, gradNorm, null, false);
    }

    static StepResult refused(float loss, float gradNorm, String why) {
        return new StepResult(false, loss, gradNorm, why, false);
    }

    static StepResult skipped(float loss) {
        return new StepResult(false, loss, Float.NaN, null, true);
    }
}
