package io.cages.resources.tx;

import io.cages.resources.jms.JmsTransaction;

/** Work of a JMS participant: sends on the given transaction (which the coordinator commits or rolls back). */
@FunctionalInterface
public interface JmsWork<T> {
    T apply(JmsTransaction transaction) throws Exception;
}
