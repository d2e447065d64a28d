package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No Java serialization on any wire: no class of the host's own modules (everything the runnable host loads from
 * a {@code cages-*} jar) refers to Java's object streams or to a JMS ObjectMessage's object. A class that could
 * read one names it in its constant pool, so this reads the bytes of every class instead of trusting a grep of
 * the sources. What each wire carries instead: HTTP JSON and raw bodies, RPC Smile frames, the flock directory
 * JSON in JGroups byte messages, JMS text and bytes (an ObjectMessage is refused unread: JmsTransportTest).
 */
class NoJavaSerializationTest {

    private static final Path LIB = Path.of(System.getProperty("cages.lib", "target/lib"));

    /** What a class that serializes or deserializes Java objects refers to, and why each is forbidden. */
    private static final Map<String, String> FORBIDDEN = Map.of(
            "java/io/ObjectInputStream", "reads Java-serialized objects",
            "java/io/ObjectOutputStream", "writes Java-serialized objects",
            "()Ljava/io/Serializable;", "calls a getter that deserializes (javax.jms.ObjectMessage.getObject)",
            "(Ljava/io/Serializable;)V", "calls a setter that serializes (javax.jms.ObjectMessage.setObject)");

    @Test
    void noHostClassReadsOrWritesJavaSerializedObjects() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(LIB)) {
            jars = files.filter(p -> p.getFileName().toString().startsWith("cages-") && p.toString().endsWith(".jar")).sorted().toList();
        }
        assertTrue(jars.size() >= 10, "the host's own jars in " + LIB + ": " + jars);
        List<String> offences = new ArrayList<>();
        int classes = 0;
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.getName().endsWith(".class")) {
                        continue;
                    }
                    classes++;
                    String constants;
                    try (InputStream in = file.getInputStream(entry)) {
                        // ISO-8859-1 maps each byte to one char, so the constant pool's UTF-8 names are found as they are.
                        constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    }
                    for (Map.Entry<String, String> forbidden : FORBIDDEN.entrySet()) {
                        if (constants.contains(forbidden.getKey())) {
                            offences.add(jar.getFileName() + "!" + entry.getName() + " " + forbidden.getValue());
                        }
                    }
                }
            }
        }
        System.out.printf("no Java serialization: %d classes in %d host jars read, %d refer to Java serialization%n",
                classes, jars.size(), offences.size());
        assertTrue(classes > 200, "classes read: " + classes);
        assertEquals(List.of(), offences);
    }
}
