package dev.freshet.loadtest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The load tests see a server only from outside: its HTTP API and its Kafka topics. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.freshet.loadtest");

    @Test
    void loadTestsKnowNoServerInternals() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.freshet.server..", "dev.freshet.adaptation..", "ai.djl..",
                        "io.vertx..", "dev.freshet.streams.embedded..", "kafka..")
                .because("a scenario must run against any server by URL; give it what it needs through Target and Corpus")
                .check(CLASSES);
    }
}
