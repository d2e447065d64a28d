package io.cages.devloop;

import io.cages.cagebundle.CageBundle;
import io.cages.cagebundle.CageBundleException;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the cage bundle in this JVM the way the Maven build does (io.cages.cagebundle: the shared cage
 * instructions, the project's {@code bnd.bnd} on top), from the dev loop's compiled classes and
 * {@code src/main/resources}, with the dev version.
 */
final class BundleMaker {

    private final CageProject project;
    private final CageBundle bundle;

    BundleMaker(CageProject project, List<Path> classPath) {
        this.project = project;
        this.bundle = project.bundle().withClassPath(classPath);
    }

    /** The bundle's bytes, or a {@link DevLoopException} with bnd's errors. */
    byte[] make(String version) {
        return make(version, project.classesDir());
    }

    /** The bundle of the classes in {@code classesDir}. */
    byte[] make(String version, Path classesDir) {
        try {
            return bundle.build(classesDir, List.of(project.resources()), version);
        } catch (CageBundleException e) {
            throw new DevLoopException(e.getMessage(), e);
        }
    }
}
