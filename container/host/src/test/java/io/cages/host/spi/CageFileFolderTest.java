package io.cages.host.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CageFileFolderTest {

    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();
    private boolean refuse;

    private CageFileFolder folder() {
        return new CageFileFolder(dir, "test file", "nothing changes", new CageFileFolder.Listener() {
            @Override
            public void changed(String cage, Path file, byte[] content) {
                String text = new String(content, StandardCharsets.UTF_8);
                if (refuse) {
                    throw new IllegalArgumentException("refused " + text);
                }
                events.add("changed " + cage + " " + text);
            }

            @Override
            public void deleted(String cage, Path file) {
                events.add("deleted " + cage);
            }
        });
    }

    @Test
    void handsOverNewAndChangedFilesOnceAndDeletionsOnce() throws Exception {
        CageFileFolder folder = folder();
        Files.writeString(dir.resolve("hello.json"), "1");
        folder.scan();
        folder.scan();
        Files.writeString(dir.resolve("hello.json"), "2");
        folder.scan();
        Files.delete(dir.resolve("hello.json"));
        folder.scan();
        folder.scan();
        assertEquals(List.of("changed hello 1", "changed hello 2", "deleted hello"), events);
    }

    @Test
    void aRejectedFileIsAProblemWithItsFirstTimeAndIsTriedAgainUntilAccepted() throws Exception {
        CageFileFolder folder = folder();
        Files.writeString(dir.resolve("hello.json"), "1");
        Files.writeString(dir.resolve("not a cage!.json"), "x");
        refuse = true;
        folder.scan();
        List<ConfigProblem> first = folder.problems();
        assertEquals(2, first.size());
        ConfigProblem refused = first.stream().filter(p -> p.file().endsWith("hello.json")).findFirst().orElseThrow();
        assertEquals("refused 1", refused.reason());
        assertTrue(first.stream().anyMatch(p -> p.reason().equals("the file name must be <cage>.json with a valid cage name")));

        folder.scan();
        assertEquals(refused, folder.problems().stream().filter(p -> p.file().endsWith("hello.json")).findFirst().orElseThrow(),
                "rejected again for the same reason: the problem keeps its first time");

        refuse = false; // what the file depends on changed, the file did not
        folder.scan();
        assertEquals(List.of("changed hello 1"), events);
        assertEquals(1, folder.problems().size());
    }
}
