package io.cages.resources.provider;

import io.cages.host.spi.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code durableCalls} entry of the resources file:
 *
 * <pre>{@code
 * "durableCalls": {"database": "calls", "inbox": {"billing": "billing"},
 *                  "expiryHours": 24, "dedupeWindowHours": 72, "pollMs": 1000}
 * }</pre>
 *
 * @param database       the JDBC resource storing calls made outside a transaction, and the dedupe table of
 *                       cages without an inbox entry; null: the host's own H2 database under its work folder
 * @param inbox          cage name to the JDBC resource holding its dedupe table: the database its handlers
 *                       write to, so the key commits with their effect
 * @param expiry         how long a call is delivered before it expires, unless the caller says otherwise
 * @param dedupeWindow   how long a finished key (and a finished call's outcome) is kept
 * @param pollMs         how often the relay looks for due calls when nothing woke it
 */
record DurableSettings(String database, Map<String, String> inbox, Duration expiry, Duration dedupeWindow, long pollMs) {

    static final DurableSettings DEFAULTS = new DurableSettings(null, Map.of(), Duration.ofHours(24), Duration.ofHours(72), 1000);
    private static final Set<String> KEYS = Set.of("database", "inbox", "expiryHours", "dedupeWindowHours", "pollMs");

    static DurableSettings read(Settings file, String key) {
        if (!file.has(key)) {
            return DEFAULTS;
        }
        Settings s = file.object(key, KEYS);
        Map<String, String> inbox = new LinkedHashMap<>();
        if (s.has("inbox")) {
            Settings cages = s.map("inbox");
            for (String cage : cages.names()) {
                String database = cages.string(cage, null);
                if (database == null || database.isBlank()) {
                    throw cages.invalid(cage, "must name a jdbc resource");
                }
                inbox.put(cage, database);
            }
        }
        return new DurableSettings(s.string("database", null), Map.copyOf(inbox),
                Duration.ofHours(s.longValue("expiryHours", 24, 1, 24L * 365)),
                Duration.ofHours(s.longValue("dedupeWindowHours", 72, 1, 24L * 365)),
                s.longValue("pollMs", 1000, 10, 60_000));
    }

    /** The resource holding {@code cage}'s dedupe table; null: the host's own database. */
    String inboxOf(String cage) {
        return inbox.getOrDefault(cage, database);
    }
}
