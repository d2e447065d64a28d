package io.cages.cagectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cagectl list}: the deployed cages, their versions and load. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List deployed cages: active version, running and queued requests, installed versions "
                + "with state and in-flight requests, source file.")
public final class ListCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Mixin
    JsonOrTable output;

    @Override
    public Integer call() {
        output.print(ctl.out(), ctl.getArray("/cages"), Views::cages);
        return ExitCodes.OK;
    }
}
