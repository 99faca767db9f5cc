package dev.freshet.adaptation.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/**
 * Engine start-up and device choice in one place.
 *
 * <p>DJL is put in offline mode before the engine is first touched, so a run never tries the network:
 * the CPU libtorch comes from the bundled {@code pytorch-native-cpu} jar (or a local CUDA build named by
 * {@code PYTORCH_LIBRARY_PATH} on GPU hosts).
 */
public final class Devices {

    static {
        System.setProperty("ai.djl.offline", "true");
        // Bundled libtorch is extracted once under ~/.djl.ai; the engine needs no model zoo.
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
    }

    private Devices() {}

    /** The PyTorch engine, loaded offline. */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /**
     * Resolves {@code auto}, {@code cpu} or {@code gpu}.
     *
     * @throws IllegalArgumentException for {@code gpu} on a host without one, or an unknown name
     */
    public static Device select(String name) {
        Engine engine = engine();
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (engine.getGpuCount() == 0) {
                    throw new IllegalArgumentException("--device gpu: no GPU visible to libtorch (" + engine.getVersion() + ")");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("unknown device '" + name + "': use auto, cpu or gpu");
        };
    }
}
