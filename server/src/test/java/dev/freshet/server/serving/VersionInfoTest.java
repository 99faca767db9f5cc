package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.adapter.AdapterSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A history entry shows the record ids its version covers, as the manifest records them, and keeps them. */
class VersionInfoTest {

    @Test
    void coveredIdsComeFromTheManifestAndSurviveStateChangesAndJson() {
        var extra = JsonParser.parseString("{\"covered\": {\"documents\": [\"d1\", \"d2\"], \"edits\": [\"e1\"]}, \"offsets\": []}")
                .getAsJsonObject();
        AdapterManifest m = new AdapterManifest("base", "hash", "uniform", new AdapterSpec.Delta(List.of("h.3.mlp.c_proj")), 2, 1,
                1_000L, Map.of("loss", 0.5), extra);

        VersionInfo info = VersionInfo.of(m, AdapterState.LOADED, null).withState(AdapterState.SERVING);

        Map<String, List<String>> expected = Map.of("documents", List.of("d1", "d2"), "edits", List.of("e1"));
        assertEquals(expected, info.covered());
        assertEquals("{\"documents\":[\"d1\",\"d2\"],\"edits\":[\"e1\"]}", info.toJson().get("covered").toString());
        assertEquals(info, VersionInfo.fromJson(info.toJson().toString()));
        assertEquals(Map.of(), VersionInfo.base(AdapterState.RETIRED).covered());
    }
}
