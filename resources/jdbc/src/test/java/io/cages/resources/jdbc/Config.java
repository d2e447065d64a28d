package io.cages.resources.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Builds resource configs in tests. */
final class Config {
    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode jdbc(String url, String user, String password) {
        ObjectNode n = JSON.createObjectNode().put("url", url);
        if (user != null) {
            n.put("username", user);
        }
        if (password != null) {
            n.put("password", password);
        }
        return n;
    }

    static ObjectNode pg(PostgresServer pg, int max) {
        return jdbc(pg.jdbcUrl(), pg.user(), pg.password()).put("maxPoolSize", max).put("minIdle", 0)
                .put("connectionTimeoutMs", 2000).put("validationTimeoutMs", 500);
    }

    static Map<String, JsonNode> of(String name, JsonNode node) {
        return Map.of(name, node);
    }

    static JsonNode parse(String json) throws Exception {
        return JSON.readTree(json);
    }
}
