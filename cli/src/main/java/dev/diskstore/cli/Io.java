package dev.diskstore.cli;

import java.io.PrintStream;

/**
 * Where a run of the command writes: standard output (data, possibly binary), standard error
 * (errors, notes, progress) and whether a person is watching (a terminal), which alone allows
 * progress bars. {@link DiskStoreCli#main} passes the process's streams and {@code System.console()
 * != null}; tests pass captured streams.
 *
 * @param out standard output; commands write text to it in UTF-8 and bytes as they are
 * @param err standard error
 * @param interactive a terminal is attached: progress bars may be drawn on {@code err}
 */
record Io(PrintStream out, PrintStream err, boolean interactive) {}
