package io.cages.host;

/** What the host gives a transport when starting it. */
public interface TransportContext {

    Dispatcher dispatcher();

    Admin admin();

    HostConfig config();
}
