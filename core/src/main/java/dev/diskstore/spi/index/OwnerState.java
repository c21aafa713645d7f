package dev.diskstore.spi.index;

/**
 * The state of a store instance (an owner) in the index. An owner is {@link #ALIVE} from its
 * registration until it closes or garbage collection declares it dead; a dead owner never becomes
 * alive again.
 */
public enum OwnerState {
  ALIVE,
  DEAD
}
