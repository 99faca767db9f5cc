package dev.freshet.adaptation.camels;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A resumable meta-training checkpoint: φ in F32 ({@link WeightingModelFiles} layout), Adam's moments
 * ({@code adam.safetensors}) and the loop's state ({@code trainer.json}: step, best validation, history).
 *
 * <p>Replacing a checkpoint never leaves none: the new one is written beside it, the old one renamed to
 * {@code <dir>.old}, the new one renamed into place, then the old one deleted; {@link #restore} falls back to
 * {@code <dir>.old} when a crash came between the renames.
 */
final class MetaCheckpoint {

    /**
     * The loop's state at a checkpoint; {@code innerStep} says which inner step the run differentiated through
     * (null in checkpoints written before it was recorded).
     */
    record State(int step, double bestValidation, int bestStep, List<MetaTrainer.StepLog> history, List<MetaTrainer.Validation> validations,
            String innerStep) {}

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private MetaCheckpoint() {}

    static void save(Path dir, WeightingModel model, MetaAdam adam, State state) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        deleteTree(tmp);
        model.save(tmp, DType.F32);
        SafeTensors.write(tmp.resolve("adam.safetensors"), adam.stateTensors(), Map.of("format", "freshet-camels-adam/1", "step", Long.toString(adam.step())));
        Files.writeString(tmp.resolve("trainer.json"), GSON.toJson(state));
        deleteTree(old);
        if (Files.exists(dir)) {
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    /** Loads φ and Adam's moments in place and returns the loop state, or empty when there is no checkpoint. */
    static Optional<State> restore(Path dir, WeightingModel model, MetaAdam adam) throws IOException {
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        Path from = Files.isRegularFile(dir.resolve("trainer.json")) ? dir : Files.isRegularFile(old.resolve("trainer.json")) ? old : null;
        if (from == null) {
            return Optional.empty();
        }
        WeightingModelFiles.readHeader(from, model.tokenizer(), model.config());
        if (WeightingModelFiles.readNormalized(from) != model.normalized()) {
            // The two objectives differ; continuing one with the other would train a model that is neither.
            throw new IOException("checkpoint " + from + " was meta-trained " + (model.normalized() ? "without" : "with")
                    + " --normalize; resume it the same way");
        }
        model.assign(SafeTensors.read(from.resolve("weighting.safetensors")).tensors());
        State state = GSON.fromJson(Files.readString(from.resolve("trainer.json")), State.class);
        adam.restore(SafeTensors.read(from.resolve("adam.safetensors")).tensors(), model.parameters(), state.step());
        return Optional.of(state);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
