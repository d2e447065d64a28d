package io.cages.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example process cages of the demo (cages/pricing, cages/wordcount), as the README shows them. */
class ExampleCagesTest {

    @TempDir
    Path dir;

    /** An archive of a folder of the repository's cages/, the way tools/dist zips it. */
    static byte[] zipOf(String cage) {
        Path folder = Path.of("../../cages", cage);
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path file : all.toList()) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && !name.equals("cage.json")) {
                    files.put(name, Files.readString(file));
                }
            }
            Map<String, Object> manifest = ProcessKit.JSON.readValue(folder.resolve("cage.json").toFile(), Map.class);
            return ProcessKit.archive(manifest, files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void pricingAndWordcountAnswerAsTheReadmeSays() throws Exception {
        try (ProcessKit kit = new ProcessKit(dir)) {
            kit.deployOk(zipOf("pricing"));
            kit.deployOk(zipOf("wordcount"));
            kit.deployOk(TestCages.build("caller", "1.0.0", CallerCage.class));

            ProcessKit.HttpAnswer quote = kit.get("/pricing/quote?sku=bolt&quantity=120&customer=c-17");
            assertEquals(200, quote.status(), quote::toString);
            JsonNode q = quote.json();
            assertEquals(25, q.get("unitPriceCents").asInt());
            assertEquals(10, q.get("volumeDiscountPercent").asInt());
            assertEquals(3, q.get("customerDiscountPercent").asInt());
            assertEquals(2619, q.get("totalCents").asInt(), q::toString); // 3000 - 10 % = 2700, - 3 % = 2619
            System.out.println("GET /pricing/quote?sku=bolt&quantity=120&customer=c-17 -> " + quote.body());

            ProcessKit.HttpAnswer unknown = kit.get("/pricing/quote?sku=rivet");
            assertEquals(404, unknown.status());
            System.out.println("GET /pricing/quote?sku=rivet -> " + unknown.status() + " " + unknown.body());
            assertTrue(unknown.json().get("message").asText().startsWith("no sku 'rivet' in the catalogue (known: bolt, gear"));

            JsonNode byName = kit.callOk("caller", "relay", Map.of("target", "pricing", "op", "quote", "sku", "gear", "quantity", 2));
            assertEquals(2500, byName.get("value").get("totalCents").asInt());

            ProcessKit.HttpAnswer counted = kit.post("/wordcount/count", "the quick brown fox\njumps over the lazy dog\n", "text/plain");
            assertEquals(200, counted.status(), counted::toString);
            System.out.println("POST /wordcount/count -> " + counted.body());
            assertEquals(9, counted.json().get("words").asInt());
            assertEquals(2, counted.json().get("lines").asInt());
            ProcessKit.HttpAnswer nothing = kit.get("/wordcount/count");
            assertEquals(400, nothing.status());
            System.out.println("GET /wordcount/count -> " + nothing.status() + " " + nothing.body());
            ProcessKit.HttpAnswer cages = kit.get("/pricing/catalogue");
            assertEquals(200, cages.status());
        }
    }
}
