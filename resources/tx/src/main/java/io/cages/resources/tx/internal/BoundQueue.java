package io.cages.resources.tx.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.MessageQueue;
import io.cages.resources.jms.JmsResource;
import java.util.Map;
import java.util.function.Supplier;

/** A cage's handle on a broker: looked up by name on each send, under the current request's deadline. */
record BoundQueue(String name, Lookup<JmsResource> resource, Supplier<Deadline> deadline) implements MessageQueue {

    @Override
    public String send(String destination, String text, Map<String, String> properties) throws CageException {
        return resource.get().send(destination, text, properties, deadline.get());
    }
}
