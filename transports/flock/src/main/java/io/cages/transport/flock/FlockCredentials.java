package io.cages.transport.flock;

import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;

/**
 * What a host proves its flock membership with: its private key and certificate chain (issued by the flock's CA,
 * subject {@code CN=<host name>, O=<flock name>}), and the flock CA certificates it trusts. With these the flock's
 * JGroups stack authenticates every joiner and encrypts the directory; without them it is as open as before.
 *
 * <p>In memory, not files: whoever reads the host's {@code tls} section (PEM files) builds the key stores.
 *
 * @param keyStore    holds one private key entry: this host's key with its chain
 * @param keyPassword that entry's password
 * @param trustStore  the flock CA certificates (trusted certificate entries); more than one during a CA rotation
 */
public record FlockCredentials(KeyStore keyStore, char[] keyPassword, KeyStore trustStore) {

    public FlockCredentials {
        if (keyStore == null || trustStore == null) {
            throw new IllegalArgumentException("flock credentials need a key store (host key and chain) and a trust store (flock CA)");
        }
        keyPassword = keyPassword == null ? new char[0] : keyPassword.clone();
        try {
            if (keyAlias(keyStore) == null) {
                throw new IllegalArgumentException("the flock key store holds no private key entry");
            }
            if (trustStore.size() == 0) {
                throw new IllegalArgumentException("the flock trust store holds no CA certificate");
            }
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException("the flock key or trust store is not loaded: " + e.getMessage(), e);
        }
    }

    /** The alias of the key store's (first) private key entry, or null. */
    public static String keyAlias(KeyStore keyStore) throws KeyStoreException {
        for (String alias : Collections.list(keyStore.aliases())) {
            if (keyStore.isKeyEntry(alias)) {
                return alias;
            }
        }
        return null;
    }
}
