/**
 * The {@code diskstore} command line: {@link dev.diskstore.cli.DiskStoreCli} and the settings
 * format naming a store ({@link dev.diskstore.cli.StoreSettings}). Everything else in this package
 * is package-private: the commands, their shared options and their output helpers.
 */
@NullMarked
package dev.diskstore.cli;

import org.jspecify.annotations.NullMarked;
