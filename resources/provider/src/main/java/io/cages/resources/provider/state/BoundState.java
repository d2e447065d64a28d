package io.cages.resources.provider.state;

import io.cages.api.CageException;
import io.cages.api.CageState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cage version's {@link CageState}: checks its input, then runs each call through {@link Access}, which is
 * either one fenced transaction per call ({@link CageStates#state}) or the connection of a transaction part
 * ({@link CageStates#part}).
 */
final class BoundState implements CageState {

    /** One statement group on a connection. */
    @FunctionalInterface
    interface SqlOp<T> {
        T run(Connection c, StateSql sql) throws SQLException, CageException;
    }

    /** Where calls run: reads need no fence, writes are admitted by the fence first. */
    interface Access {
        <T> T read(SqlOp<T> op) throws CageException;

        <T> T write(SqlOp<T> op) throws CageException;
    }

    private final String cage;
    private final Access access;

    BoundState(String cage, Access access) {
        this.cage = cage;
        this.access = access;
    }

    @Override
    public Map<String, Object> get(String key) throws CageException {
        String k = StateValues.key(key);
        return access.read((c, sql) -> sql.get(c, cage, k));
    }

    @Override
    public void put(String key, Map<String, ?> fields) throws CageException {
        String k = StateValues.key(key);
        if (fields == null) {
            throw CageException.badRequest("cage state: the fields of key '" + k + "' must not be null");
        }
        List<Map.Entry<String, StateValues.Encoded>> encoded = new ArrayList<>(fields.size());
        for (Map.Entry<String, ?> f : fields.entrySet()) {
            String name = StateValues.field(k, f.getKey());
            encoded.add(Map.entry(name, StateValues.encode(k, name, f.getValue())));
        }
        if (encoded.isEmpty()) {
            return;
        }
        access.write((c, sql) -> {
            sql.put(c, cage, k, encoded);
            return null;
        });
    }

    @Override
    public void remove(String key, String... fields) throws CageException {
        String k = StateValues.key(key);
        if (fields == null) {
            throw CageException.badRequest("cage state: the fields to remove from key '" + k + "' must not be null");
        }
        List<String> names = new ArrayList<>(fields.length);
        for (String f : fields) {
            names.add(StateValues.field(k, f));
        }
        if (names.isEmpty()) {
            return;
        }
        access.write((c, sql) -> {
            sql.remove(c, cage, k, names);
            return null;
        });
    }

    @Override
    public void delete(String key) throws CageException {
        String k = StateValues.key(key);
        access.write((c, sql) -> {
            sql.delete(c, cage, k);
            return null;
        });
    }

    @Override
    public long increment(String key, String field, long delta) throws CageException {
        String k = StateValues.key(key);
        String f = StateValues.field(k, field);
        Long value = access.write((c, sql) -> {
            Long v = sql.increment(c, cage, k, f, delta);
            if (v == null) {
                throw CageException.badRequest("cage state: cannot increment field '" + f + "' of key '" + k
                        + "': it holds " + describe(sql.get(c, cage, k).get(f)) + ", not an integral number");
            }
            return v;
        });
        return value;
    }

    private static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getSimpleName();
    }
}
