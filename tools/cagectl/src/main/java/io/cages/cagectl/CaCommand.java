package io.cages.cagectl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;

/**
 * {@code cagectl ca init --flock NAME --out DIR} and {@code cagectl ca issue --ca DIR --host NAME --out DIR}:
 * a flock CA and host certificates for mutual TLS between the flock's hosts (see {@link FlockCa}). For demos and
 * tests; in production the certificates come from an existing CA (README, "Mutual TLS between hosts"). Works
 * offline: no host is contacted.
 */
final class CaCommand implements CommandSpec.Action {

    static final OptionSpec FLOCK = OptionSpec.text("--flock", "NAME", "init: the flock's name (the O of its certificates).");
    static final OptionSpec HOST = OptionSpec.text("--host", "NAME", "issue: the host's name, as in its host.json (the CN).");
    static final OptionSpec CA = OptionSpec.text("--ca", "DIR", "issue: the folder holding flock-ca.pem and flock-ca.key.");
    static final OptionSpec OUT = OptionSpec.text("--out", "DIR", "Where to write the files (created if missing).");
    static final OptionSpec DAYS = OptionSpec.wholeNumber("--days", "N",
            "Validity in days (default: 3650 for a CA, 365 for a host; never beyond its CA).");
    static final CommandSpec SPEC = new CommandSpec("ca",
            "Make a flock CA (ca init: flock-ca.pem, flock-ca.key) or a host certificate (ca issue: host.pem, host.key,"
                    + " and flock-ca.pem when the folder has none) for mutual TLS between hosts.",
            List.of(FLOCK, HOST, CA, OUT, DAYS), "ACTION", "init or issue.", true, new CaCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        return switch (invocation.parameter()) {
            case "init" -> init(ctl, invocation);
            case "issue" -> issue(ctl, invocation);
            default -> throw ArgumentParser.usage(SPEC, "unknown action '" + invocation.parameter() + "' (init or issue)");
        };
    }

    private static int init(CageCtl ctl, Invocation invocation) {
        String flock = required(invocation, FLOCK);
        Path out = folder(invocation, OUT);
        Path cert = out.resolve(FlockCa.CA_CERT);
        Path key = out.resolve(FlockCa.CA_KEY);
        if (Files.exists(key)) {
            throw new CageCtlException(ExitCodes.FAILED, "cagectl: " + key + " exists; a CA is not overwritten (remove it, or use another --out)");
        }
        try {
            FlockCa.KeyPairAndCertificate ca = FlockCa.newCa(flock, Duration.ofDays(days(invocation, 3650)));
            ca.write(cert, key);
            ctl.out().println("flock CA " + ca + "\n  " + cert + "\n  " + key + " (keep it secret: it makes hosts of the flock)");
            return ExitCodes.OK;
        } catch (IOException | GeneralSecurityException e) {
            throw new CageCtlException(ExitCodes.FAILED, "cagectl: cannot make the CA in " + out + ": " + e.getMessage());
        }
    }

    private static int issue(CageCtl ctl, Invocation invocation) {
        String host = required(invocation, HOST);
        if (!host.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,252}")) {
            throw ArgumentParser.usage(SPEC, "'--host' must be a host name (letters, digits, '.', '_', '-'), got '" + host + "'");
        }
        Path caDir = path(invocation, CA);
        Path out = folder(invocation, OUT);
        try {
            FlockCa.KeyPairAndCertificate ca = FlockCa.KeyPairAndCertificate.read(caDir.resolve(FlockCa.CA_CERT), caDir.resolve(FlockCa.CA_KEY));
            FlockCa.KeyPairAndCertificate issued = FlockCa.issue(ca, host, Duration.ofDays(days(invocation, 365)));
            issued.write(out.resolve(FlockCa.HOST_CERT), out.resolve(FlockCa.HOST_KEY));
            ctl.out().println("host certificate " + issued + "\n  " + out.resolve(FlockCa.HOST_CERT) + "\n  " + out.resolve(FlockCa.HOST_KEY));
            Path bundle = out.resolve(FlockCa.CA_CERT);
            if (!Files.exists(bundle)) {
                // A bundle already there may hold an old and a new CA during a rotation: left as it is.
                Files.writeString(bundle, FlockCa.pem("CERTIFICATE", ca.certificate().getEncoded()));
                ctl.out().println("  " + bundle + " (the CA bundle)");
            }
            return ExitCodes.OK;
        } catch (IOException | GeneralSecurityException e) {
            throw new CageCtlException(ExitCodes.FAILED, "cagectl: cannot issue a certificate for '" + host + "' with the CA in "
                    + caDir + ": " + e);
        }
    }

    private static String required(Invocation invocation, OptionSpec option) {
        String value = invocation.value(option.name());
        if (value == null || value.isBlank()) {
            throw ArgumentParser.usage(SPEC, "ca " + invocation.parameter() + " needs '" + option.name() + "'");
        }
        return value.strip();
    }

    private static Path path(Invocation invocation, OptionSpec option) {
        try {
            return Path.of(required(invocation, option));
        } catch (InvalidPathException e) {
            throw ArgumentParser.usage(SPEC, "'" + option.name() + "' is not a valid path: " + e.getReason());
        }
    }

    private static Path folder(Invocation invocation, OptionSpec option) {
        Path dir = path(invocation, option);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CageCtlException(ExitCodes.FAILED, "cagectl: cannot create " + dir + ": " + e.getMessage());
        }
        return dir;
    }

    private static long days(Invocation invocation, long fallback) {
        Integer days = invocation.number(DAYS.name());
        if (days != null && days < 1) {
            throw ArgumentParser.usage(SPEC, "'--days' must be at least 1, got " + days);
        }
        return days == null ? fallback : days;
    }
}
