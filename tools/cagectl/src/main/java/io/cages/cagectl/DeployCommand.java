package io.cages.cagectl;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code cagectl deploy <jar>}: deploy a cage, or update it to the jar's version. */
final class DeployCommand implements CommandSpec.Action {

    static final CommandSpec SPEC = CommandSpec.withParameter("deploy", "Deploy a cage jar, or update the cage "
                    + "to the jar's version. Waits until the new version serves, or the deploy failed and the "
                    + "previous version stays active.",
            "JAR", "The cage bundle jar to deploy.", true, new DeployCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        Path jar;
        try {
            jar = Path.of(invocation.parameter());
        } catch (java.nio.file.InvalidPathException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot deploy " + invocation.parameter() + ": " + e.getReason());
        }
        checkReadable(jar);
        AdminClient.Response response = ctl.client()
                .postFile("/deploy?origin=" + ctl.originParam(), jar, "application/java-archive");
        return ctl.report(response, String.valueOf(jar.getFileName()));
    }

    /** Fails with a usage error unless {@code jar} is a readable, non-empty regular file. */
    static void checkReadable(Path jar) {
        String problem;
        if (!Files.exists(jar)) {
            problem = "no such file";
        } else if (Files.isDirectory(jar)) {
            problem = "it is a directory, not a jar file";
        } else if (!Files.isRegularFile(jar)) {
            problem = "not a regular file";
        } else if (!Files.isReadable(jar)) {
            problem = "permission denied";
        } else {
            problem = emptyProblem(jar);
        }
        if (problem != null) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot deploy " + jar + ": " + problem);
        }
    }

    private static String emptyProblem(Path jar) {
        try {
            return Files.size(jar) == 0 ? "the file is empty" : null;
        } catch (java.io.IOException e) {
            return AdminClient.reason(e);
        }
    }
}
