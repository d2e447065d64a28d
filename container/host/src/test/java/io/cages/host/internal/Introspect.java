package io.cages.host.internal;

import io.cages.host.Host;
import java.lang.reflect.Field;

/** Test access to host internals that no public API should expose. */
public final class Introspect {

    private Introspect() {
    }

    public static ClassLoader activeHandlerLoader(Host host, String cage) throws ReflectiveOperationException {
        Field field = Host.class.getDeclaredField("runtime");
        field.setAccessible(true);
        HostRuntime runtime = (HostRuntime) field.get(host);
        Field registry = HostRuntime.class.getDeclaredField("registry");
        registry.setAccessible(true);
        return ((CageRegistry) registry.get(runtime)).get(cage).active().classLoader();
    }
}
