package dev.diskstore.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** The PDF fixture, built in memory with PDFBox: a small report of a few pages of text. */
final class Pdfs {
  private Pdfs() {}

  /** Lines of text per page. */
  static final int LINES = 40;

  /**
   * A PDF of {@code pages} pages of {@value #LINES} lines of pseudo-words each (about 3 KB of
   * text per page); {@code title} starts the first page, so that distinct titles give distinct
   * files.
   */
  static byte[] report(String title, int pages) {
    SplittableRandom random = new SplittableRandom(title.hashCode());
    String[] words = {"revenue", "quarter", "growth", "margin", "customer", "region", "product",
        "forecast", "budget", "team", "target", "market", "risk", "plan", "review", "result"};
    PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    try (PDDocument document = new PDDocument()) {
      for (int p = 0; p < pages; p++) {
        PDPage page = new PDPage();
        document.addPage(page);
        try (PDPageContentStream content = new PDPageContentStream(document, page)) {
          content.beginText();
          content.setFont(font, 10);
          content.setLeading(13);
          content.newLineAtOffset(50, 740);
          if (p == 0) {
            content.showText(title);
            content.newLine();
          }
          for (int line = 0; line < LINES; line++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) {
              text.append(words[random.nextInt(words.length)]).append(' ');
            }
            content.showText(text.toString().strip());
            content.newLine();
          }
          content.endText();
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      document.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code report(title, pages)} to a file: {@code Pdfs <file> <title> <pages>}. The
   * cold-start benchmark builds its fixture in a separate JVM this way, so that PDFBox's classes
   * are not loaded in the JVM whose first parse it measures.
   */
  public static void main(String[] args) throws IOException {
    java.nio.file.Files.write(
        java.nio.file.Path.of(args[0]), report(args[1], Integer.parseInt(args[2])));
  }
}
