package dev.flinksavepoints.engine;

/** A bad command line: reported as one line with exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
