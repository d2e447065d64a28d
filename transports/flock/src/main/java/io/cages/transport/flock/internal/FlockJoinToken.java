package io.cages.transport.flock.internal;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.util.UUID;

/**
 * The proof a host sends with its JOIN and MERGE requests (and a coordinator with its answers) through JGroups'
 * AUTH: its certificate chain, and its signature over the flock's name, its own JGroups address and the time. The
 * receiver admits it only when the chain leads to the flock CA, names this flock, and the signature is the
 * chain's key's over the sender's address within {@link #MAX_SKEW_MS}: a copied token does not let another
 * address in, and a captured one is stale within minutes. Refusals are logged with the reason.
 *
 * <p>Public with a public no-arg constructor only because JGroups creates the received tokens reflectively (by the
 * magic number registered below, so no class lookup by name, which a bundle class loader would not answer).
 */
public final class FlockJoinToken extends AuthToken {

    private static final Refusals REFUSALS = new Refusals();
    static final short MAGIC = 3_117;
    static final long MAX_SKEW_MS = 5 * 60_000L;
    private static final long RESIGN_MS = 60_000L;

    static {
        synchronized (ClassConfigurator.class) {
            if (ClassConfigurator.getMagicNumber(FlockJoinToken.class) < 0) {
                ClassConfigurator.add(MAGIC, FlockJoinToken.class);
            }
        }
    }

    /** This host's side; null in a token read from the wire. */
    private final FlockTrust trust;
    /** What goes on the wire (sent) or came from it (received). */
    private volatile Sealed sealed;
    /** The chain (of {@link FlockTrust#chain()}, compared by identity) the sent token carries. */
    private volatile List<X509Certificate> sealedChain;

    private record Sealed(String address, List<byte[]> chain, long timestamp, byte[] signature) {
        int size() {
            int n = Short.BYTES + Long.BYTES + Integer.BYTES + signature.length;
            for (byte[] c : chain) {
                n += Integer.BYTES + c.length;
            }
            return n;
        }
    }

    /** For JGroups, which reads received tokens into new instances. */
    public FlockJoinToken() {
        this.trust = null;
    }

    FlockJoinToken(FlockTrust trust) {
        this.trust = trust;
    }

    @Override
    public String getName() {
        return FlockJoinToken.class.getName();
    }

    @Override
    public int size() {
        return current().size();
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        Sealed s = current();
        out.writeShort(s.chain().size());
        for (byte[] c : s.chain()) {
            out.writeInt(c.length);
            out.write(c);
        }
        out.writeLong(s.timestamp());
        out.writeInt(s.signature().length);
        out.write(s.signature());
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int n = in.readShort();
        if (n < 0 || n > 8) {
            throw new IOException("a flock join token carries 1 to 8 certificates, not " + n);
        }
        List<byte[]> chain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chain.add(bytes(in, 16_384));
        }
        long timestamp = in.readLong();
        sealed = new Sealed(null, chain, timestamp, bytes(in, 1_024));
    }

    private static byte[] bytes(DataInput in, int max) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > max) {
            throw new IOException("a flock join token field of " + len + " bytes (at most " + max + ")");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        String refusal = token instanceof FlockJoinToken t ? check(t.sealed, msg.getSrc()) : "no flock join token";
        if (refusal == null) {
            return true;
        }
        REFUSALS.refused(String.valueOf(msg.getSrc()), trust.flock(), refusal);
        return false;
    }

    private String check(Sealed s, Address sender) {
        if (s == null || s.chain().isEmpty()) {
            return "no certificate";
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : s.chain()) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            return "unreadable certificate: " + e.getMessage();
        }
        String refusal = trust.refusal(chain);
        if (refusal != null) {
            return refusal;
        }
        long skew = Math.abs(System.currentTimeMillis() - s.timestamp());
        if (skew > MAX_SKEW_MS) {
            return "a token " + skew / 1000 + " s off this host's clock (replayed, or clocks too far apart)";
        }
        try {
            Signature verifier = Signature.getInstance(signatureAlgorithm(chain.get(0).getPublicKey()));
            verifier.initVerify(chain.get(0).getPublicKey());
            verifier.update(signed(trust.flock(), addressOf(sender), s.timestamp()));
            if (!verifier.verify(s.signature())) {
                return "signature does not match the address " + sender + " (a token copied from another host)";
            }
        } catch (GeneralSecurityException e) {
            return "signature not checkable: " + e.getMessage();
        }
        return null;
    }

    /**
     * The token to send now: re-signed when this host's address changed, its certificate was rotated (the chain it
     * carries is no longer the one in use), or the last one is a minute old.
     */
    private Sealed current() {
        Sealed s = sealed;
        if (trust == null) {
            return s; // a received token is never sent on
        }
        String address = addressOf(auth == null ? null : auth.getAddress());
        long now = System.currentTimeMillis();
        List<X509Certificate> chain = trust.chain();
        if (s == null || !address.equals(s.address()) || now - s.timestamp() > RESIGN_MS || chain != sealedChain) {
            s = seal(address, now);
            sealed = s;
            sealedChain = chain;
        }
        return s;
    }

    private Sealed seal(String address, long timestamp) {
        try {
            List<byte[]> chain = new ArrayList<>();
            for (X509Certificate c : trust.chain()) {
                chain.add(c.getEncoded());
            }
            PrivateKey key = trust.key();
            Signature signer = Signature.getInstance(signatureAlgorithm(trust.chain().get(0).getPublicKey()));
            signer.initSign(key);
            signer.update(signed(trust.flock(), address, timestamp));
            return new Sealed(address, List.copyOf(chain), timestamp, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the flock join token with this host's key: " + e.getMessage(), e);
        }
    }

    private static byte[] signed(String flock, String address, long timestamp) {
        return ("cages-flock-join\n" + flock + "\n" + address + "\n" + timestamp).getBytes(StandardCharsets.UTF_8);
    }

    /** The address in full (a UUID's toString is its logical name, which anyone may choose). */
    private static String addressOf(Address address) {
        return address instanceof UUID u ? u.toStringLong() : String.valueOf(address);
    }

    private static String signatureAlgorithm(PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("unsupported host key type " + key.getAlgorithm());
        };
    }

    @Override
    public String toString() {
        return "FlockJoinToken";
    }
}
