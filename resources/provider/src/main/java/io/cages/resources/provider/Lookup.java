package io.cages.resources.provider;

import io.cages.api.CageException;

/** Finds a resource by name at the moment of use; NOT_FOUND names the known ones. */
@FunctionalInterface
interface Lookup<T> {
    T get(String name) throws CageException;
}
