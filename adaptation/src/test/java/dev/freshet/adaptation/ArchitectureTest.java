package dev.freshet.adaptation;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering inside the adaptation module; the module graph itself is enforced by Maven. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.freshet.adaptation");

    @Test
    void adaptationKnowsNothingOfKafkaOrTheServer() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.vertx..", "dev.freshet.streams..", "dev.freshet.server..")
                .because("adaptation is the maths; the server's training package decides when it runs")
                .check(CLASSES);
    }

    @Test
    void theModelCoreIsTheBottomLayer() {
        noClasses().that().resideInAPackage("..adaptation.model..")
                .should().dependOnClassesThat().resideInAnyPackage("..adaptation.adapter..", "..adaptation.train..", "..adaptation.eval..",
                        "..adaptation.pretrain..", "..adaptation.camels..", "..adaptation.editing..", "..adaptation.mwi..", "..adaptation.world..")
                .because("methods build on the model; the model takes an Adaptation instead of knowing adapters")
                .check(CLASSES);
    }

    @Test
    void formatsAndTheWorldArePlainJava() {
        noClasses().that().resideInAnyPackage("..adaptation.checkpoint..", "..adaptation.tokenizer..", "..adaptation.world..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "..adaptation.model..")
                .because("file formats and data generation must be usable and testable without a tensor engine")
                .check(CLASSES);
    }
}
