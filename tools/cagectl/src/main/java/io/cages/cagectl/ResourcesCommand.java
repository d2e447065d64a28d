package io.cages.cagectl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code cagectl resources}: the host's databases and queues with their pool counts. */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Show the host's databases and queues (configs/resources.json) with their pool counts.")
public final class ResourcesCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Mixin
    JsonOrTable output;

    @Override
    public Integer call() {
        output.print(ctl.out(), ctl.getObject("/resources"), Views::resources);
        return ExitCodes.OK;
    }
}
