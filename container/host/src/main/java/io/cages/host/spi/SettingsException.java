package io.cages.host.spi;

/**
 * A settings file or section that cannot be used, as {@link Settings} reports it: the key path and the reason
 * ({@link #problem()}), and the file it was found in once that is known ({@link #source()}). It never carries
 * a secret: {@link Settings} echoes no value that came from the environment and no free-text string.
 */
public final class SettingsException extends IllegalArgumentException {

    private final String source;
    private final String problem;

    /** @param problem the key path and the reason, e.g. {@code http.port must be 0..65535, was 99999} */
    public SettingsException(String problem) {
        this(null, problem, null);
    }

    SettingsException(String source, String problem, Throwable cause) {
        super(source == null ? problem : source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file the settings came from, or null when the reader was not told. */
    public String source() {
        return source;
    }

    /** The key path and the reason, without the file. */
    public String problem() {
        return problem;
    }

    /**
     * This error as found in {@code file}. Why: a transport reads its section of the host config long after
     * the file was read, and only the launcher knows the file; an error that already names one keeps it.
     */
    public SettingsException in(Object file) {
        return source != null ? this : new SettingsException(String.valueOf(file), problem, this);
    }
}
