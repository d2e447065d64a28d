package io.cages.devloop;

import io.cages.cagebundle.CageBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A cage project on disk, laid out as the SDK contract says: {@code bnd.bnd} at the root (the cage headers),
 * {@code src/main/java}, optionally {@code src/main/resources} and a Maven {@code pom.xml}. The dev loop writes
 * only under {@code target/cages-dev/}, never where Maven puts its own output.
 */
final class CageProject {

    private static final Pattern RELEASE = Pattern.compile("^(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    private final Path root;

    private CageProject(Path root) {
        this.root = root;
    }

    /** The project at {@code dir}, or a {@link DevLoopException} saying what is missing. */
    static CageProject at(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DevLoopException(root + " is not a directory");
        }
        CageProject project = new CageProject(root);
        if (!Files.isRegularFile(project.bndFile())) {
            throw new DevLoopException(root + " is not a cage project: it has no bnd.bnd (with Cage-Name and Cage-Handler)");
        }
        if (!Files.isDirectory(project.sources())) {
            throw new DevLoopException(root + " is not a cage project: it has no src/main/java");
        }
        return project;
    }

    Path root() {
        return root;
    }

    Path bndFile() {
        return root.resolve("bnd.bnd");
    }

    Path pom() {
        return root.resolve("pom.xml");
    }

    Path sources() {
        return root.resolve("src/main/java");
    }

    Path resources() {
        return root.resolve("src/main/resources");
    }

    /** Where the dev loop keeps its compiled classes and the last bundle it built. */
    Path workDir() {
        return root.resolve("target/cages-dev");
    }

    Path classesDir() {
        return workDir().resolve("classes");
    }

    /** {@code root}-relative form of {@code file} for messages, e.g. {@code src/main/java/a/B.java}. */
    String relative(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    /** The project's bnd.bnd, read as every in-process cage build reads it (no Maven version: the dev loop sets its own). */
    CageBundle bundle() {
        return CageBundle.of(root);
    }

    /** A header as the bundle gets it (shared instructions, then bnd.bnd, macros expanded), or null. */
    String header(String name) {
        try {
            return bundle().property(name);
        } catch (RuntimeException e) {
            throw new DevLoopException("cannot read " + bndFile() + ": " + e.getMessage());
        }
    }

    /**
     * The release the dev versions count from, {@code major.minor.micro}: bnd.bnd's Bundle-Version when it
     * has one, else the pom's {@code <version>} (its own, else its parent's), else 0.0.0. A qualifier or
     * {@code -SNAPSHOT} is dropped; the dev loop adds its own qualifier.
     */
    String baseRelease() {
        String declared = header("Bundle-Version");
        if (declared == null || declared.isBlank() || declared.contains("${")) { // a Maven property bnd alone cannot expand
            declared = pomVersion();
        }
        return releaseOf(declared);
    }

    static String releaseOf(String version) {
        Matcher m = version == null ? null : RELEASE.matcher(version.strip());
        if (m == null || !m.find()) {
            return "0.0.0";
        }
        return m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3));
    }

    private String pomVersion() {
        if (!Files.isRegularFile(pom())) {
            return null;
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(pom().toFile());
            Element project = doc.getDocumentElement();
            String own = childText(project, "version");
            if (own != null) {
                return own;
            }
            Element parent = child(project, "parent");
            return parent == null ? null : childText(parent, "version");
        } catch (Exception e) {
            return null; // an unreadable pom is Maven's to report; the dev versions start at 0.0.0
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static String childText(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }
}
