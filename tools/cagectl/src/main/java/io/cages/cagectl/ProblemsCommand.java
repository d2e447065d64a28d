package io.cages.cagectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cagectl problems}: config files the host rejected. */
@Command(name = "problems", mixinStandardHelpOptions = true,
        description = "Show config files the host rejected; the previous config of those cages stays in force.")
public final class ProblemsCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Mixin
    JsonOrTable output;

    @Override
    public Integer call() {
        output.print(ctl.out(), ctl.getArray("/config-problems"), problems -> Views.problems(problems, ctl.zone()));
        return ExitCodes.OK;
    }
}
