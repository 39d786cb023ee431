package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The UI library (Preact with htm) served from the Maven artifact org.mvnpm:htm")
class UiLibraryTest {
  static final String LIBRARY = "/lib/htm/preact/standalone.module.js";
  /** `import { a, b as c } from './x.js'` and `export { a, b } from '/y.js'`; group 1 the names, group 2 the path. */
  private static final Pattern NAMED_FROM = Pattern.compile("(?:import|export)\\s*\\{([^}]*)\\}\\s*from\\s*'([^']+)'");
  private static final Pattern PAGE_SCRIPT = Pattern.compile("<script type=\"module\" src=\"([^\"]+)\"");
  static TestApp t;

  @BeforeAll
  static void start() {
    t = TestApp.start();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  @Test
  @DisplayName("the module is served from the server's own origin as JavaScript, under the same CSP as the pages")
  void module_is_served_as_javascript() {
    HttpResponse<Buffer> response = t.get(LIBRARY, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).contains("javascript");
    assertThat(response.getHeader("content-security-policy")).isEqualTo(HttpVerticle.CONTENT_SECURITY_POLICY);
    assertThat(response.getHeader("x-content-type-options")).isEqualTo("nosniff");
    assertThat(libraryExports()).contains("html", "render", "useState", "useEffect");
  }

  @Test
  @DisplayName("the library's licence is served next to it; a file the package lacks is 404")
  void licence_is_served_and_a_missing_file_is_404() {
    assertThat(t.get("/lib/htm/LICENSE", null).statusCode()).isEqualTo(200);
    assertThat(t.get("/lib/htm/no-such-file.js", null).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("every name the pages import from js/ui.js is re-exported there, and the library exports each of them")
  void pages_import_only_what_the_library_exports() {
    Set<String> libraryExports = libraryExports();
    Map<String, Set<String>> uiReexports = new LinkedHashMap<>();
    for (String[] statement : namedImports("/js/ui.js")) {
      assertThat(statement[1]).as("js/ui.js re-exports from the served library only").isEqualTo(LIBRARY);
      uiReexports.put(statement[1], names(statement[0]));
    }
    Set<String> reexported = uiReexports.getOrDefault(LIBRARY, Set.of());
    assertThat(libraryExports).as("what the library exports").containsAll(reexported);

    Set<String> importedFromUi = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> modules = new ArrayDeque<>();
    for (String page : new String[] {"/", "/console"}) {
      Matcher script = PAGE_SCRIPT.matcher(t.get(page, null).bodyAsString());
      while (script.find()) modules.add(script.group(1));
    }
    while (!modules.isEmpty()) {
      String module = modules.poll();
      if (!seen.add(module) || module.equals(LIBRARY)) continue;
      for (String[] statement : namedImports(module)) {
        String target = URI.create(module).resolve(statement[1]).getPath();
        if (target.equals("/js/ui.js")) importedFromUi.addAll(names(statement[0]));
        if (!module.equals("/js/ui.js")) {
          assertThat(target).as(module + " imports the library through js/ui.js").isNotEqualTo(LIBRARY);
        }
        modules.add(target);
      }
    }
    assertThat(seen).as("the walk reaches the connection indicator").contains("/js/connection.js", "/js/ui.js");
    assertThat(importedFromUi).as("names imported from js/ui.js").isNotEmpty();
    assertThat(reexported).as("what js/ui.js re-exports").containsAll(importedFromUi);
  }

  /** The names in the library's one `export{a as h,fe as html,...}` clause. */
  private static Set<String> libraryExports() {
    String source = t.get(LIBRARY, null).bodyAsString();
    Matcher export = Pattern.compile("export\\s*\\{([^}]*)\\}\\s*;?\\s*$").matcher(source.strip());
    assertThat(export.find()).as("an export clause at the end of the library").isTrue();
    return Arrays.stream(export.group(1).split(","))
        .map(String::strip)
        .map(part -> part.contains(" as ") ? part.substring(part.indexOf(" as ") + 4).strip() : part)
        .collect(Collectors.toSet());
  }

  private static List<String[]> namedImports(String module) {
    HttpResponse<Buffer> response = t.get(module, null);
    assertThat(response.statusCode()).as(module).isEqualTo(200);
    Matcher statement = NAMED_FROM.matcher(response.bodyAsString());
    List<String[]> found = new ArrayList<>();
    while (statement.find()) found.add(new String[] {statement.group(1), statement.group(2)});
    return found;
  }

  /** `a, b as c` imported: the exported names a and b. */
  private static Set<String> names(String list) {
    return Arrays.stream(list.split(","))
        .map(String::strip)
        .filter(part -> !part.isEmpty())
        .map(part -> part.contains(" as ") ? part.substring(0, part.indexOf(" as ")).strip() : part)
        .collect(Collectors.toSet());
  }
}
