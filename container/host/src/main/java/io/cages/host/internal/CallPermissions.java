package io.cages.host.internal;

import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.FlockView;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flock policy file ({@code policy.json} beside the resources file) and the check every request passes
 * after its cage is found and before it is admitted.
 *
 * <p>No file: every call is allowed (what hosts did before policies). A file that cannot be used stops the
 * host at start; on a reload it is reported (log and config problems) and the last good policy stays. A
 * deleted file also keeps the last policy: removing it must not open every cage to every caller, so going
 * back to "allow everything" is an edit ({@code {"default": "allow"}}) or a restart without the file.
 *
 * <p>The policy in force is one volatile reference to an immutable {@link CallPolicy}: a request is checked
 * against the old policy or the new one, never a mix, and a request admitted under the old one runs on.
 */
final class CallPermissions {

    private static final Logger LOG = LoggerFactory.getLogger(CallPermissions.class);

    static final String FILE_NAME = "policy.json";

    private final Path file;
    private final String hostName;
    private final Function<String, String> env;
    private volatile CallPolicy policy = CallPolicy.ALLOW_ALL;
    private volatile ConfigProblem problem;
    /** Where the flock directory is, once a transport offers calls to other hosts; null before. */
    private volatile Supplier<RemoteCalls> flock = () -> null;
    // CONCURRENCY: lastSeen is only touched by load() and scan(), which are synchronized.
    private byte[] lastSeen;

    private CallPermissions(Path file, String hostName, Function<String, String> env) {
        this.file = file;
        this.hostName = hostName;
        this.env = env;
    }

    /** Permissions that allow everything and watch no file: for a dispatcher built without a host. */
    static CallPermissions allowAll(String hostName) {
        return new CallPermissions(null, hostName, name -> null);
    }

    /**
     * Reads the policy file if there is one.
     *
     * @throws IllegalArgumentException naming the file, the line or field and the problem when it cannot be used
     */
    static CallPermissions load(Path file, String hostName, Function<String, String> env) {
        CallPermissions permissions = new CallPermissions(file, hostName, env);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException absent) {
            LOG.info("no call policy file {}: every caller may call every cage", file);
            return permissions;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e, e);
        }
        try {
            permissions.policy = CallPolicy.parse(bytes, env);
        } catch (SettingsException e) {
            throw e.in(file);
        }
        permissions.lastSeen = bytes;
        LOG.info("call policy loaded from {}", file);
        return permissions;
    }

    static Path fileBeside(Path resourcesFile) {
        return resourcesFile.resolveSibling(FILE_NAME);
    }

    /** The flock directory, to check that an authenticated peer host runs the cage its calls name as caller. */
    void consultDirectory(Supplier<RemoteCalls> remoteCalls) {
        flock = remoteCalls;
    }

    /**
     * Null when {@code in} may go on; otherwise why it is forbidden, naming caller, cage and operation.
     * Allocates nothing while no policy file is in force.
     */
    String refusal(InboundRequest in) {
        CallPolicy p = policy;
        if (p.allowsEverything()) {
            return null;
        }
        CallerIdentity who = CallerIdentity.of(in, hostName);
        if (who.authenticated() && who.isCage() && !hostName.equals(who.host())) {
            String impostor = notInDirectory(who, in);
            if (impostor != null) {
                return impostor;
            }
        }
        if (p.allows(who.caller(), in.cage(), in.operation())) {
            return null;
        }
        return "forbidden: " + who.describe() + " may not call " + in.cage() + "." + in.operation() + " (flock policy)";
    }

    /**
     * A peer host that proved its name may only call as a cage it runs. A host the directory does not list
     * (yet) is not judged here: the directory lags membership by a publication, and the policy still applies.
     */
    private String notInDirectory(CallerIdentity who, InboundRequest in) {
        if (!(flock.get() instanceof FlockView view)) {
            return null;
        }
        for (FlockMember member : view.members()) {
            if (member.name().equals(who.host())) {
                return runs(member, who.caller()) ? null
                        : "forbidden: host '" + who.host() + "' does not run cage '" + who.caller() + "' (flock directory), so it may not call "
                        + in.cage() + "." + in.operation() + " as that cage";
            }
        }
        return null;
    }

    private static boolean runs(FlockMember member, String cage) {
        for (String active : member.cages()) { // name@version
            if (active.length() > cage.length() && active.startsWith(cage) && active.charAt(cage.length()) == '@') {
                return true;
            }
        }
        return false;
    }

    /** Applies the file if it changed since the last look. Called by the host's watcher, every poll. */
    synchronized void scan() {
        if (file == null) {
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException gone) {
            if (lastSeen != null) {
                lastSeen = null; // the same content written back is applied again, clearing this problem
                reject("deleted; the last policy stays in force (write {\"default\": \"allow\"} to allow every call)");
            }
            return;
        } catch (IOException e) {
            reject("cannot read: " + e);
            return;
        }
        if (Arrays.equals(bytes, lastSeen)) {
            return;
        }
        lastSeen = bytes;
        try {
            policy = CallPolicy.parse(bytes, env);
            problem = null;
            LOG.info("call policy reloaded from {}", file);
        } catch (SettingsException e) {
            reject(e.problem());
        } catch (RuntimeException e) {
            LOG.error("call policy {} could not be applied; the last policy stays", file, e);
            reject(e.toString());
        }
    }

    private void reject(String reason) {
        ConfigProblem previous = problem;
        if (previous != null && previous.reason().equals(reason)) {
            return; // reported already
        }
        problem = new ConfigProblem(file.toString(), reason, Instant.now());
        LOG.error("call policy file {} rejected: {}; the last good policy stays in force", file, reason);
    }

    List<ConfigProblem> problems() {
        ConfigProblem p = problem;
        return p == null ? List.of() : List.of(p);
    }
}
