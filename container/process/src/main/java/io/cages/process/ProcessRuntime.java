package io.cages.process;

import io.cages.host.spi.CageRuntime;
import io.cages.host.spi.ForeignCage;
import io.cages.process.internal.ProcessCage;

/**
 * Recognizes process cage archives (a zip, named {@code .zip} or {@code .jar}, with {@code cage.json} at its root)
 * and turns each into a host cage whose handler runs the manifest's command as OS processes. Found by the host
 * with {@link java.util.ServiceLoader}.
 */
public final class ProcessRuntime implements CageRuntime {

    @Override
    public String kind() {
        return "process";
    }

    @Override
    public ForeignCage read(byte[] archive) {
        return ProcessCage.read(archive);
    }
}
