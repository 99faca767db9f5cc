package dev.freshet.server.cli;

import dev.freshet.adaptation.editing.EditLocations;
import dev.freshet.adaptation.editing.EditLocations.Location;
import dev.freshet.adaptation.editing.EditOrder;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code edit-locations}: the LocFT location study (arXiv 2509.22072) on the synthetic world's
 * edits: trains a fresh dense delta per candidate module with breadth-first and/or depth-first editing
 * and prints efficacy, generalisation and locality per location.
 */
final class EditLocationsCommand implements Command {

    @Override
    public String name() {
        return "edit-locations";
    }

    @Override
    public String summary() {
        return "which module to localize fact edits in: efficacy / generalisation / locality per location (LocFT)";
    }

    @Override
    public String help() {
        EditSettings d = EditSettings.DEFAULTS;
        return """
            usage: bin/freshet edit-locations [options]

            Takes the first N edits of the synthetic world, trains a fresh dense delta at each candidate
            location (per layer: each MLP projection, the whole MLP, the attention projections, the whole
            layer) with each edit order, and prints one row per (location, order): efficacy (edit prompt
            answers the new target), generalisation (paraphrases do), locality (neighbors keep their answer).

              --edits N            edits to train on (default 50)
              --world-seed N       world seed (default 1234, the bundled model's world)
              --size NAME          default | tiny (default: default)
              --layers LIST        comma-separated layer indices, or all (default all)
              --kinds LIST         comma-separated kinds, e.g. mlp.c_proj,attn,layer, or all (default all)
              --order NAME         bf | df | both (default both)
              --window N           edits per window fed to the trainer; 0 = all at once (default 0)
              --lr X               Adam learning rate (default %s)
              --layer-lr X         learning rate for whole-layer locations (default %s)
              --batch N            breadth-first mini-batch (default %d)
              --epochs N           breadth-first epochs at most (default %d)
              --replay N           replay buffer capacity (default %d)
              --max-steps N        depth-first steps per edit at most (default %d)
              --seed N             training seed (default %d)
            """.formatted(d.learningRate(), d.learningRate() / 10, d.batchSize(), d.maxEpochs(), d.replay(), d.maxStepsPerEdit(), d.seed())
                + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("edits", "world-seed", "size", "layers", "kinds", "order", "window", "lr", "layer-lr", "batch", "epochs", "replay", "max-steps", "seed",
                "model", "device");
    }

    @Override
    public int run(Args a) throws Exception {
        WorldSize size = switch (a.get("size", "default")) {
            case "default" -> WorldSize.DEFAULT;
            case "tiny" -> WorldSize.TINY;
            default -> throw new Args.UsageException("--size must be default or tiny");
        };
        List<EditOrder> orders = switch (a.get("order", "both").toLowerCase(Locale.ROOT)) {
            case "both" -> List.of(EditOrder.BREADTH_FIRST, EditOrder.DEPTH_FIRST);
            default -> List.of(EditOrder.parse(a.get("order", "")));
        };
        EditSettings d = EditSettings.DEFAULTS;
        EditSettings settings = new EditSettings(a.getFloat("lr", d.learningRate()), a.getInt("batch", d.batchSize()), a.getInt("epochs", d.maxEpochs()),
                d.skipLoss(), d.stopLoss(), a.getInt("replay", d.replay()), a.getInt("max-steps", d.maxStepsPerEdit()), d.clipNorm(), a.getLong("seed", d.seed()));
        float layerLr = a.getFloat("layer-lr", settings.learningRate() / 10);
        List<WorldEdit> all = World.generate(a.getLong("world-seed", 1234L), size).edits();
        List<WorldEdit> edits = all.subList(0, Math.min(all.size(), a.getInt("edits", 50)));
        int window = a.getInt("window", 0);
        try (LanguageModel model = Models.open(a)) {
            List<Location> locations = EditLocations.candidates(model).stream()
                    .filter(l -> selected(a.get("layers", "all"), Integer.toString(l.layer())) && selected(a.get("kinds", "all"), l.kind()))
                    .toList();
            if (locations.isEmpty()) {
                throw new Args.UsageException("--layers/--kinds select no location; candidates are "
                        + EditLocations.candidates(model).stream().map(Location::label).toList());
            }
            System.out.printf("%s: %d edits, %d locations x %s, %s%n", model.id(), edits.size(), locations.size(),
                    orders.stream().map(EditOrder::shortName).toList(), settings);
            EditLocations.Sweep sweep = EditLocations.sweep(model, edits, locations, orders, settings, layerLr, window <= 0 ? edits.size() : window,
                    row -> System.err.printf("  done %s %s%n", row.location(), row.order().shortName()));
            System.out.print(sweep.table());
        }
        return 0;
    }

    private static boolean selected(String list, String value) {
        return list.equalsIgnoreCase("all") || Arrays.stream(list.split(",")).map(String::trim).anyMatch(value::equals);
    }
}
