package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.MessageQueue;
import io.cages.resources.jms.JmsResource;
import java.util.Map;
import java.util.function.Supplier;
import io.cages.resources.provider.Lookup;

/** A cage's handle on a broker: looked up by name on each send, under the current request's deadline. */
record BoundQueue(String name, Lookup<JmsResource> queues, Supplier<Deadline> deadline) implements MessageQueue {

    @Override
    public String send(String destination, String text, Map<String, String> properties) throws CageException {
        return queues.get(name).send(destination, text, properties, deadline.get());
    }
}
