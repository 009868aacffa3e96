package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Executes every notebook of notebooks/ at the smoke profile with this kernel through nbconvert
 * (which fails on any cell error), and checks that the executed Table 2 notebook holds a rendered
 * HTML table and a PNG figure.
 */
class NotebooksIT {

  static Path executed(String name) {
    return ExternalTools.target().resolve("it-notebooks").resolve(name + ".ipynb");
  }

  @Test
  void everyNotebookExecutesAtSmoke() throws Exception {
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(ExternalTools.home().resolve("notebooks"))) {
      notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertTrue(!notebooks.isEmpty(), "no notebooks found");
    for (Path nb : notebooks) {
      String name = nb.getFileName().toString().replace(".ipynb", "");
      Path log = ExternalTools.target().resolve("it-notebooks").resolve(name + ".log");
      int code = ExternalTools.run(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.kernel_name=beed-java", "--ExecutePreprocessor.timeout=900",
          "--output-dir", executed(name).getParent().toString(), "--output", name + ".ipynb", nb.toString()), log, 1800);
      assertEquals(0, code, nb + " failed at smoke:\n" + Files.readString(log));
      int html = ExternalTools.run(List.of("jupyter", "nbconvert", "--to", "html",
          "--output-dir", executed(name).getParent().toString(), executed(name).toString()), log.resolveSibling(name + "-html.log"), 300);
      assertEquals(0, html, "HTML rendering of " + name + " failed");
    }
    JsonObject table2 = JsonParser.parseString(Files.readString(executed("table2"))).getAsJsonObject();
    List<String> mimes = new ArrayList<>();
    StringBuilder htmlText = new StringBuilder();
    for (JsonElement cell : table2.getAsJsonArray("cells")) {
      JsonObject c = cell.getAsJsonObject();
      if (!c.get("cell_type").getAsString().equals("code")) {
        continue;
      }
      for (JsonElement out : c.getAsJsonArray("outputs")) {
        JsonObject o = out.getAsJsonObject();
        assertTrue(!o.get("output_type").getAsString().equals("error"), "error output in table2: " + o);
        if (o.has("data")) {
          for (String mime : o.getAsJsonObject("data").keySet()) {
            mimes.add(mime);
            if (mime.equals("text/html")) {
              JsonElement v = o.getAsJsonObject("data").get(mime);
              htmlText.append(v.isJsonArray() ? String.join("", v.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList()) : v.getAsString());
            }
          }
        }
      }
    }
    assertTrue(mimes.contains("image/png"), "no PNG figure in the executed Table 2 notebook: " + mimes);
    assertTrue(htmlText.toString().contains("<table"), "no HTML table in the executed Table 2 notebook");
    for (String method : List.of("Baseline", "CE", "KD", "EED", "BEED")) {
      assertTrue(htmlText.toString().contains(">" + method + "<"), "row " + method + " missing from the rendered table");
    }
    assertTrue(htmlText.toString().contains("(paper)"), "the paper's columns are missing");
    String page = Files.readString(executed("table2").resolveSibling("table2.html"));
    assertTrue(page.contains("<table") && page.contains("data:image/png;base64"), "the HTML export lacks the table or the image");
  }
}
