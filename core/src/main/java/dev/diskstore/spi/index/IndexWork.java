package dev.diskstore.spi.index;

/**
 * Work done inside one index transaction, on the session it is given.
 *
 * <p>Work given to {@link MetadataIndex#write} may run more than once (an index retries a
 * transaction that failed to serialise), so it must have no effect outside the session except what
 * it returns: allocate result lists inside, mutate no shared state, do no I/O. The session is valid
 * only during the call.
 */
@FunctionalInterface
public interface IndexWork<T> {
  T run(IndexSession session);
}
