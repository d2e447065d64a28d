package io.cages.devloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles a cage project's {@code src/main/java} in this JVM with {@code javax.tools}, keeping the compiler
 * and its file manager warm between saves.
 *
 * <p>Correctness first: a save recompiles the changed files and every file that names one of their types
 * (transitively: a cheap, conservative stand-in for javac's dependency graph), after deleting the class
 * files the recompiled files produced last time (so a removed nested class leaves no stale class file). A
 * removed source file, or any compile that failed, makes the next compile a full one from an empty folder.
 */
final class IncrementalCompiler implements AutoCloseable {

    /** What one call did: {@code compiled} files (0 when nothing changed) and errors as {@code file:line: message}. */
    record Result(int compiled, boolean full, List<String> errors) {
        boolean ok() {
            return errors.isEmpty();
        }
    }

    private record Stamp(long size, long modified) {
        static Stamp of(Path file) throws IOException {
            return new Stamp(Files.size(file), Files.getLastModifiedTime(file).toMillis());
        }
    }

    private final CageProject project;
    private final Path classesDir;
    private final List<Path> classPath;
    private final JavaCompiler javac;
    private final StandardJavaFileManager files;
    /** Sources as they were when last compiled into the classes folder without errors. */
    private final Map<Path, Stamp> compiled = new HashMap<>();
    /** Class files each source produced when last compiled. */
    private final Map<Path, Set<Path>> outputs = new HashMap<>();
    private boolean needsFull = true;

    IncrementalCompiler(CageProject project, List<Path> classPath) {
        this(project, classPath, project.classesDir());
    }

    /** A compiler of {@code project}'s sources into {@code classesDir}. */
    IncrementalCompiler(CageProject project, List<Path> classPath, Path classesDir) {
        this.project = project;
        this.classesDir = classesDir;
        this.classPath = List.copyOf(classPath);
        this.javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new DevLoopException("this Java runtime has no compiler (javax.tools); run the dev loop on a JDK 21+, not a JRE");
        }
        this.files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
    }

    /** True when a source was added, changed or removed since the last compile without errors. */
    boolean stale() {
        return needsFull || !scan().equals(compiled);
    }

    /** Makes the next compile a full one. */
    void forget() {
        needsFull = true;
    }

    /** Brings the classes folder up to date with the sources; never throws for compile errors. */
    Result compile() {
        Map<Path, Stamp> now = scan();
        boolean full = needsFull || !now.keySet().containsAll(compiled.keySet());
        Set<Path> toCompile;
        if (full) {
            toCompile = now.keySet();
            clean(classesDir);
            compiled.clear();
            outputs.clear();
        } else {
            Set<Path> changed = new HashSet<>();
            now.forEach((file, stamp) -> {
                if (!stamp.equals(compiled.get(file))) {
                    changed.add(file);
                }
            });
            if (changed.isEmpty()) {
                return new Result(0, false, List.of());
            }
            toCompile = withDependents(changed, now.keySet());
            for (Path source : toCompile) {
                for (Path classFile : outputs.getOrDefault(source, Set.of())) {
                    deleteQuietly(classFile);
                }
                outputs.remove(source);
            }
        }
        needsFull = true; // until this compile is known to have succeeded
        if (toCompile.isEmpty()) {
            compiled.clear();
            needsFull = false;
            return new Result(0, true, List.of());
        }
        List<String> errors = run(toCompile);
        if (errors.isEmpty()) {
            toCompile.forEach(f -> compiled.put(f, now.get(f)));
            needsFull = false;
        }
        return new Result(toCompile.size(), full, errors);
    }

    private List<String> run(Set<Path> sources) {
        try {
            Files.createDirectories(classesDir);
            List<Path> searchPath = new ArrayList<>(classPath.size() + 1);
            searchPath.add(classesDir); // unchanged classes of this project, compiled before
            searchPath.addAll(classPath);
            files.setLocationFromPaths(StandardLocation.CLASS_PATH, searchPath);
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classesDir));
            files.setLocationFromPaths(StandardLocation.SOURCE_PATH, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<Path, Set<Path>> produced = new HashMap<>();
        JavaFileManager recording = new OutputRecorder(files, classesDir, produced);
        List<String> options = List.of("--release", "21", "-g", "-proc:none", "-implicit:none", "-encoding", "UTF-8", "-nowarn");
        Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources.stream().sorted().toList());
        boolean ok = javac.getTask(null, recording, diagnostics, options, null, units).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(describe(d));
            }
        }
        if (!ok && errors.isEmpty()) {
            errors.add("javac failed without naming an error");
        }
        if (errors.isEmpty()) {
            outputs.putAll(produced);
        }
        return errors;
    }

    private String describe(Diagnostic<? extends JavaFileObject> d) {
        String message = d.getMessage(Locale.ROOT).strip().replaceAll("\\s*\\R\\s*", "; ");
        if (d.getSource() == null) {
            return message;
        }
        String file = project.relative(Path.of(d.getSource().toUri()));
        return d.getLineNumber() == Diagnostic.NOPOS ? file + ": " + message : file + ":" + d.getLineNumber() + ": " + message;
    }

    /** {@code changed} plus every source that names a type of one of them, transitively. */
    private static Set<Path> withDependents(Set<Path> changed, Set<Path> all) {
        Set<Path> result = new HashSet<>(changed);
        List<Path> frontier = new ArrayList<>(changed);
        Map<Path, String> text = new HashMap<>();
        while (!frontier.isEmpty()) {
            Path source = frontier.remove(frontier.size() - 1);
            Pattern name = Pattern.compile("\\b" + Pattern.quote(typeName(source)) + "\\b");
            for (Path other : all) {
                if (!result.contains(other) && name.matcher(text.computeIfAbsent(other, IncrementalCompiler::read)).find()) {
                    result.add(other);
                    frontier.add(other);
                }
            }
        }
        return result;
    }

    private static String typeName(Path source) {
        String file = source.getFileName().toString();
        return file.substring(0, file.length() - ".java".length());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // vanished or unreadable: javac reports it if it is still to be compiled
        }
    }

    private Map<Path, Stamp> scan() {
        Map<Path, Stamp> result = new HashMap<>();
        try (Stream<Path> walk = Files.walk(project.sources())) {
            for (Path file : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
                try {
                    result.put(file, Stamp.of(file));
                } catch (IOException e) {
                    // deleted between the walk and the stamp: it is not there
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DevLoopException("cannot read " + project.sources() + ": " + e.getMessage(), e);
        }
        return result;
    }

    static void clean(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(IncrementalCompiler::deleteQuietly);
        } catch (IOException e) {
            throw new DevLoopException("cannot empty " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new DevLoopException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        files.close();
    }

    /** Notes which class files each source produces, so a later recompile of that source can remove them first. */
    private static final class OutputRecorder extends ForwardingJavaFileManager<JavaFileManager> {

        private final Path classesDir;
        private final Map<Path, Set<Path>> produced;

        OutputRecorder(JavaFileManager delegate, Path classesDir, Map<Path, Set<Path>> produced) {
            super(delegate);
            this.classesDir = classesDir;
            this.produced = produced;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) throws IOException {
            JavaFileObject out = super.getJavaFileForOutput(location, className, kind, sibling);
            URI source = sibling == null ? null : sibling.toUri();
            if (source != null && "file".equals(source.getScheme())) {
                produced.computeIfAbsent(Path.of(source), k -> new HashSet<>())
                        .add(classesDir.resolve(className.replace('.', '/') + kind.extension));
            }
            return out;
        }
    }
}
