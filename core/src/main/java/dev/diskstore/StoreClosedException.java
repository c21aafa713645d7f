package dev.diskstore;

/** The store was used after {@link DiskStore#close()}. */
public class StoreClosedException extends DiskStoreException {
  private static final long serialVersionUID = 1L;

  public StoreClosedException() {
    super("this DiskStore has been closed");
  }
}
