package io.cages.transport.flock;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.Settings;
import io.cages.host.spi.SettingsException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The {@code transports.flock} section of {@code host.json} ({@link FlockSettings#from}) against arbitrary bytes,
 * coverage-guided with Jazzer: it is read, or refused with a {@link SettingsException} naming the key under
 * {@code transports.flock}, never anything else (the host's launcher names {@code host.json} in a
 * {@code SettingsException} only: anything else would stop the start without saying which file or key). What is
 * read can be used: each of {@code hosts} is one address JGroups' host list can carry ({@code address[port]},
 * separated by commas or white space) and a port it can connect to. Then the secure-by-default check
 * ({@link PlaintextFlockRule}) passes or refuses with an {@link IllegalStateException} that says why; it runs
 * only where it needs no name lookup (no bind, or an address literal), so the target stays off the network.
 * The ordinary test run replays the corpus under {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes
 * it for a bounded time.
 */
class FlockSettingsFuzzTest {

    private static final Path HOST_JSON = Path.of("host.json");
    private static final Function<String, String> ENV = Map.of("FLOCK", "payments", "PORT", "7800", "EMPTY", "")::get;
    /** No separator of TCPPING's host list (commas, white space) and no bracket of its {@code address[port]}. */
    private static final Pattern HOST_LIST_SAFE = Pattern.compile("[^\\s,\\[\\]]+");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    /** Brackets, or a first character that is a hex digit or ':', with a ':' in it: parsed as IPv6, never looked up. */
    private static final Pattern IPV6 = Pattern.compile("\\[.*]|[0-9a-fA-F:][^\\[\\]]*:.*");

    static {
        // Every insecure flock read would log its warning; the fuzzer would spend its time writing them.
        ((Logger) LoggerFactory.getLogger(PlaintextFlockRule.class)).setLevel(Level.ERROR);
    }

    @FuzzTest(maxDuration = "10s")
    void aFlockSectionIsReadOrRefusedNamingTheKey(byte[] json) {
        JsonNode section;
        try {
            section = Settings.parse(json);
        } catch (SettingsException notJson) {
            return; // a host.json that is not JSON is refused before any transport reads it (HostConfigFuzzTest)
        }
        FlockSettings settings;
        try {
            settings = FlockSettings.from(section, ENV);
        } catch (SettingsException refused) {
            String problem = refused.problem();
            if (problem == null || !problem.startsWith("transports.flock")) {
                throw new AssertionError("refused without naming the key: " + problem, refused);
            }
            if (!refused.in(HOST_JSON).getMessage().startsWith("host.json: transports.flock")) {
                throw new AssertionError("the launcher could not name the file: " + refused.in(HOST_JSON).getMessage(), refused);
            }
            return;
        }
        for (String host : settings.hosts()) {
            int colon = host.lastIndexOf(':');
            int port = Integer.parseInt(host.substring(colon + 1));
            if (port < 1 || port > 65_535 || !HOST_LIST_SAFE.matcher(host.substring(0, colon)).matches()) {
                throw new AssertionError("read a host JGroups cannot contact: '" + host + "'");
            }
        }
        checkPlaintextRule(settings, true);
        if (settings.bind() == null || IPV4.matcher(settings.bind()).matches() || IPV6.matcher(settings.bind()).matches()) {
            checkPlaintextRule(settings, false);
        }
    }

    private static void checkPlaintextRule(FlockSettings settings, boolean tls) {
        try {
            PlaintextFlockRule.check(settings, tls, "h1");
        } catch (IllegalStateException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refused without a reason", refused);
            }
            return;
        }
        if (settings.insecure() && tls) {
            throw new AssertionError("\"insecure\": true beside a tls section was let through");
        }
        if (!tls && !settings.insecure() && settings.bind() == null) {
            throw new AssertionError("a plain flock on every interface was let through without \"insecure\"");
        }
    }
}
