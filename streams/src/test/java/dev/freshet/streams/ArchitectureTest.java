package dev.freshet.streams;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering inside the streams module; the module graph itself is enforced by Maven. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.freshet.streams");

    @Test
    void streamsKnowsNothingOfModelsOrOtherModules() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "dev.freshet.adaptation..", "dev.freshet.server..")
                .because("streams is Kafka plumbing; the server's training package is where records meet the model")
                .check(CLASSES);
    }

    @Test
    void recordsArePlainValues() {
        noClasses().that().resideInAPackage("..streams.record..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "kafka..", "com.fasterxml..", "dev.freshet.streams.codec..", "dev.freshet.streams.kafka..")
                .because("records are the shared vocabulary; wire formats live in codec, Kafka in kafka")
                .check(CLASSES);
    }

    @Test
    void theCodecDoesNotTalkToKafka() {
        noClasses().that().resideInAPackage("..streams.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "kafka..", "dev.freshet.streams.kafka..", "dev.freshet.streams.embedded..")
                .because("the codec turns bytes into records and must be testable without a broker")
                .check(CLASSES);
    }

    @Test
    void onlyTheEmbeddedBrokerUsesKafkaServerCode() {
        noClasses().that().resideOutsideOfPackage("..streams.embedded..")
                .should().dependOnClassesThat().resideInAnyPackage("kafka..", "org.apache.kafka.server..", "org.apache.kafka.metadata..", "org.apache.kafka.raft..")
                .because("clients need only kafka-clients; the broker jars are for the embedded broker")
                .check(CLASSES);
    }
}
