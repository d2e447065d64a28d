package io.cages.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bnd/cage.bnd is the one source of the shared cage instructions; the cage parent carries them verbatim in its
 * bnd-maven-plugin configuration (a parent in the local Maven repository has no files next to it to include).
 */
class CageParentTest {

    private static final Path REPO = Path.of(System.getProperty("cages.repo", "../.."));
    private static final Path PARENT = REPO.resolve("cages/cage-parent/pom.xml");

    @Test
    void theParentHoldsBndCageBndVerbatim() throws IOException {
        String pom = Files.readString(PARENT);
        Matcher copy = Pattern.compile("# --- begin bnd/cage.bnd ---\n(.*)# --- end bnd/cage.bnd ---\n", Pattern.DOTALL).matcher(pom);
        assertTrue(copy.find(), "cages/cage-parent/pom.xml lacks the bnd/cage.bnd markers");
        assertEquals(Files.readString(REPO.resolve("bnd/cage.bnd")), copy.group(1),
                "cages/cage-parent/pom.xml must hold bnd/cage.bnd verbatim between its markers: copy the file there");
    }

    @Test
    void theParentsVersionIsTheCagesVersion() throws IOException {
        String root = Files.readString(REPO.resolve("pom.xml"));
        String parent = withoutComments(Files.readString(PARENT));
        String version = firstMatch("<artifactId>cages-parent</artifactId>\\s*<version>([^<]+)</version>", root);
        assertEquals(version, firstMatch("<artifactId>cages-cage-parent</artifactId>\\s*<version>([^<]+)</version>", parent));
        assertEquals(version, firstMatch("<cages.version>([^<]+)</cages.version>", parent));
    }

    private static String withoutComments(String xml) {
        return xml.replaceAll("(?s)<!--.*?-->", "");
    }

    private static String firstMatch(String regex, String text) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "no match for " + regex);
        return m.group(1);
    }
}
