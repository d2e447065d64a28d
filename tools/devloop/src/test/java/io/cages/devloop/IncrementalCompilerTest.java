package io.cages.devloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental compiles give the classes a full compile would: no stale class files, dependents recompiled. */
class IncrementalCompilerTest {

    @TempDir
    Path root;

    private Path pkg;
    private IncrementalCompiler compiler;
    private long clock = 1_000_000_000_000L;

    @BeforeEach
    void project() throws IOException {
        pkg = root.resolve("src/main/java/p");
        Files.createDirectories(pkg);
        Files.writeString(root.resolve("bnd.bnd"), "Cage-Name: t\nCage-Handler: p.B\n");
        write("A.java", "package p; public class A { public static int answer() { return 42; } static class Inner { } }");
        write("B.java", "package p; public class B { int get() { return A.answer(); } }");
        write("C.java", "package p; public class C { }");
        compiler = new IncrementalCompiler(CageProject.at(root), List.of(ClassPaths.cageApi()));
        IncrementalCompiler.Result first = compiler.compile();
        assertTrue(first.ok(), first.errors().toString());
        assertEquals(3, first.compiled());
    }

    @Test
    void nothingChangedCompilesNothing() {
        assertFalse(compiler.stale());
        assertEquals(0, compiler.compile().compiled());
    }

    @Test
    void aChangeRecompilesTheFileAndTheFilesThatNameItsTypes() throws IOException {
        write("A.java", "package p; public class A { public static String answer() { return \"42\"; } }");

        IncrementalCompiler.Result result = compiler.compile();

        assertEquals(2, result.compiled(), "A and B (which calls A), not C");
        assertEquals(List.of("src/main/java/p/B.java:1: incompatible types: java.lang.String cannot be converted to int"), result.errors());
    }

    @Test
    void aRemovedNestedClassLeavesNoClassFile() throws IOException {
        assertTrue(Files.exists(classes().resolve("p/A$Inner.class")));
        write("A.java", "package p; public class A { public static int answer() { return 43; } }");

        assertTrue(compiler.compile().ok());

        assertFalse(Files.exists(classes().resolve("p/A$Inner.class")));
        assertTrue(Files.exists(classes().resolve("p/A.class")));
    }

    @Test
    void aDeletedSourceLeavesNoClassFile() throws IOException {
        Files.delete(pkg.resolve("C.java"));

        IncrementalCompiler.Result result = compiler.compile();

        assertTrue(result.ok() && result.full(), result.toString());
        assertFalse(Files.exists(classes().resolve("p/C.class")));
    }

    @Test
    void afterAFailedCompileTheNextIsFull() throws IOException {
        write("C.java", "package p; public class C { broken }");
        assertFalse(compiler.compile().ok());
        write("C.java", "package p; public class C { }");

        IncrementalCompiler.Result result = compiler.compile();

        assertTrue(result.ok() && result.full() && result.compiled() == 3, result.toString());
    }

    private Path classes() {
        return root.resolve("target/cages-dev/classes");
    }

    /** Writes a source with a modification time of its own, as a save a moment later would have. */
    private void write(String file, String text) throws IOException {
        Path path = pkg.resolve(file);
        Files.writeString(path, text);
        Files.setLastModifiedTime(path, FileTime.fromMillis(clock += 1000));
    }
}
