package io.github.beedjava.report;

import java.util.Base64;
import tech.tablesaw.api.Table;

/** Self-contained HTML pages of tables and PNG figures (no scripts, no external files). */
public final class HtmlReport {
  private HtmlReport() {}

  /** A table as an HTML {@code <table>} with its name as caption. */
  public static String table(Table table) {
    String html = table.write().toString("html");
    return html.replaceFirst("<table>", "<table class=\"beed\"><caption>" + escape(table.name()) + "</caption>");
  }

  /** A PNG as an inline {@code <img>}. */
  public static String image(byte[] png, String alt) {
    return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"/>";
  }

  /** A whole page: title, a note paragraph, then the given fragments. */
  public static String page(String title, String note, String... fragments) {
    StringBuilder s = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title>\n<style>")
        .append("body{font-family:sans-serif;max-width:1200px;margin:2em auto}")
        .append("table.beed{border-collapse:collapse;margin:1em 0}")
        .append("table.beed td,table.beed th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("table.beed caption{text-align:left;font-weight:bold;padding:4px 0}")
        .append("p.note{background:#fff6d5;padding:8px}</style></head><body>\n<h1>")
        .append(escape(title)).append("</h1>\n<p class=\"note\">").append(escape(note)).append("</p>\n");
    for (String f : fragments) {
      s.append(f).append('\n');
    }
    return s.append("</body></html>\n").toString();
  }

  /** Escapes text for HTML. */
  public static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
