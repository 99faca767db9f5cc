package dev.freshet.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void namesTopicsUnderThePrefix() {
        Topics topics = Topics.withDefaultPrefix();
        assertEquals(List.of("freshet.documents", "freshet.edits", "freshet.adapters", "freshet.dead-letter"), topics.all());
        assertEquals("staging.adapters", new Topics("staging").adapters());
    }

    @Test
    void onlyTheAdaptersTopicIsCompacted() {
        Topics topics = Topics.withDefaultPrefix();
        for (NewTopic topic : topics.newTopics(3, (short) 1)) {
            assertEquals(3, topic.numPartitions());
            boolean adapters = topic.name().equals("freshet.adapters");
            assertEquals(adapters ? "compact" : null, topic.configs().get("cleanup.policy"), topic.name());
        }
        assertEquals(Map.of(), topics.requiredConfig(topics.documents()));
    }

    @Test
    void rejectsAnIllegalPrefix() {
        assertThrows(IllegalArgumentException.class, () -> new Topics("my topics"));
        assertThrows(IllegalArgumentException.class, () -> new Topics(""));
    }
}
