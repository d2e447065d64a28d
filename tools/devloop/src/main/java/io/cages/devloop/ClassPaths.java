package io.cages.devloop;

import io.cages.api.CageHandler;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The compile class path of a cage project, resolved once when the dev loop starts: Maven's
 * {@code dependency:build-classpath} for a project with a pom.xml (Maven runs once, never per save), else
 * the cage API alone (what a cage without other dependencies compiles against).
 */
final class ClassPaths {

    private static final long MAVEN_TIMEOUT_MINUTES = 5;

    private ClassPaths() {
    }

    /** The class path, and a line saying where it came from. */
    record Resolved(List<Path> entries, String origin) {
    }

    static Resolved of(CageProject project) {
        if (!Files.isRegularFile(project.pom())) {
            return new Resolved(List.of(cageApi()), "the cage API alone (no pom.xml)");
        }
        try {
            return new Resolved(fromMaven(project), "mvn dependency:build-classpath");
        } catch (DevLoopException e) {
            // A cage whose only dependency is the API still builds; one with others will say what it misses.
            return new Resolved(List.of(cageApi()), "the cage API alone, because " + e.getMessage());
        }
    }

    /** The cage API this tool runs with: its jar, or its classes folder in a reactor build. */
    static Path cageApi() {
        try {
            return Path.of(CageHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new DevLoopException("cannot locate the cage API on the dev loop's class path", e);
        }
    }

    private static List<Path> fromMaven(CageProject project) {
        Path out;
        try {
            Files.createDirectories(project.workDir());
            out = project.workDir().resolve("classpath.txt");
            Files.deleteIfExists(out);
        } catch (IOException e) {
            throw new DevLoopException("cannot write under " + project.workDir() + ": " + e.getMessage(), e);
        }
        List<String> command = List.of(mavenCommand(), "-B", "-q", "-f", project.pom().toString(),
                "dependency:build-classpath", "-Dmdep.includeScope=compile", "-Dmdep.outputFile=" + out);
        Path log = project.workDir().resolve("classpath-maven.log");
        try {
            Process maven = new ProcessBuilder(command).directory(project.root().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!maven.waitFor(MAVEN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                maven.destroyForcibly();
                throw new DevLoopException("mvn dependency:build-classpath did not finish within " + MAVEN_TIMEOUT_MINUTES + " minutes");
            }
            if (maven.exitValue() != 0 || !Files.isRegularFile(out)) {
                throw new DevLoopException("mvn dependency:build-classpath failed (exit " + maven.exitValue()
                        + "; its output is in " + log + ")");
            }
            List<Path> entries = new ArrayList<>();
            for (String entry : Files.readString(out, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    entries.add(Path.of(entry));
                }
            }
            return entries;
        } catch (IOException e) {
            throw new DevLoopException("cannot run Maven (" + command.get(0) + ") to resolve the class path: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevLoopException("interrupted while Maven resolved the class path", e);
        }
    }

    private static String mavenCommand() {
        String override = System.getenv("CAGES_DEV_MVN");
        return override == null || override.isBlank() ? "mvn" : override;
    }
}
