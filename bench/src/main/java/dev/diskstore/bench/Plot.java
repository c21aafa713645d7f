package dev.diskstore.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws the peers table ({@link PeerTable}) as a PNG: a grouped bar chart, one group per scenario,
 * one bar per system, the bar's value its ratio to the floor of the same run, with a dashed line at
 * 1 (the floor). The floor's own bar is 1, except in the 8-writer group, where it is the floor on 8
 * threads against the floor on one. The value axis is logarithmic when the ratios span more than a
 * factor of 20 (the jclouds listing is about 100× the floor, its upsert under 0.2×). Missing
 * results leave gaps (the cold process has no OpenDAL or jclouds bar). The ratios are those of the
 * table; durability is not drawn, the table's note gives it.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar dev.diskstore.bench.Plot --out
 * peers.png RESULT.json...} (bench/run.sh calls it after {@link Summary}). Exit code 0 with no file
 * written when the results hold no peer scenario; 1 when a file cannot be read or written.
 */
public final class Plot {
  private static final int WIDTH = 1500;
  private static final int HEIGHT = 720;
  private static final Color[] COLOURS = {
    new Color(0x9e9e9e), new Color(0x1f5fa8), new Color(0xe08a1e), new Color(0x3a9a4a)
  };

  private Plot() {}

  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path out = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        out = Path.of(args[++i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    if (out == null) {
      System.err.println("usage: Plot --out FILE.png RESULT.json...");
      System.exit(2);
    }
    PeerTable table = PeerTable.of(Summary.read(files));
    if (table.rows().isEmpty()) {
      System.out.println("no peer results: no plot");
      return;
    }
    Files.deleteIfExists(out);
    ChartUtils.saveChartAsPNG(out.toFile(), chart(table), WIDTH, HEIGHT);
    System.out.println("peers plot: " + out);
  }

  static JFreeChart chart(PeerTable table) {
    DefaultCategoryDataset dataset = new DefaultCategoryDataset();
    double min = 1;
    double max = 1;
    for (PeerTable.Row row : table.rows()) {
      for (PeerTable.Peer peer : PeerTable.Peer.values()) {
        Double value = row.plotted(peer).orElse(null);
        dataset.addValue(value, peer.shortName(), row.label());
        if (value != null && value > 0) {
          min = Math.min(min, value);
          max = Math.max(max, value);
        }
      }
    }
    JFreeChart chart = ChartFactory.createBarChart(
        "DiskStore and its peers: ratio to the floor, same run", null, "ratio to the floor",
        dataset, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.addSubtitle(new TextTitle("time and CPU per operation: lower is better;"
        + " 8 writers: throughput, higher is better. Durability differs: DiskStore and the floor"
        + " fsync file, directory and index; OpenDAL fs the file only; jclouds never.",
        new Font(Font.SANS_SERIF, Font.PLAIN, 13)));

    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xd0d0d0));
    CategoryAxis categories = plot.getDomainAxis();
    categories.setMaximumCategoryLabelLines(2);
    categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));

    boolean log = max / min > 20;
    double lower = log ? min / 1.6 : 0;
    DecimalFormat format =
        new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
    ValueAxis axis;
    if (log) {
      LogAxis logAxis = new LogAxis("ratio to the floor (log scale)");
      logAxis.setBase(10);
      logAxis.setTickUnit(new NumberTickUnit(1));
      logAxis.setNumberFormatOverride(format);
      logAxis.setRange(lower, max * 1.8);
      axis = logAxis;
    } else {
      NumberAxis linear = new NumberAxis("ratio to the floor");
      linear.setRange(0, Math.max(1.2, max * 1.15));
      axis = linear;
    }
    axis.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    plot.setRangeAxis(axis);

    ValueMarker floor = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f,
        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    floor.setLabel("floor = 1");
    floor.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    floor.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    floor.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    plot.addRangeMarker(floor);

    BarRenderer bars = (BarRenderer) plot.getRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setItemMargin(0.05);
    // bars rise from the bottom of the axis (a log axis has no 0)
    bars.setBase(lower);
    for (int i = 0; i < COLOURS.length; i++) {
      bars.setSeriesPaint(i, COLOURS[i]);
    }
    bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator() {
      @Override
      public String generateLabel(CategoryDataset data, int row, int column) {
        Number value = data.getValue(row, column);
        return value == null ? null : PeerTable.ratio(value.doubleValue());
      }
    });
    bars.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    bars.setDefaultItemLabelsVisible(true);
    bars.setDefaultPositiveItemLabelPosition(
        new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
    return chart;
  }
}
