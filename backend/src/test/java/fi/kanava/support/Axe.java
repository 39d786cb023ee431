package fi.kanava.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Rule;
import com.microsoft.playwright.Page;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Deque's axe-core (from the Maven artifact com.deque.html.axe-core:playwright) run in a page, for
 * WCAG 2.1 A and AA: a test calls {@link #assertNoViolations} in each state of a page it reaches.
 * The script is evaluated through Playwright, so the pages' Content-Security-Policy stays as served.
 */
public final class Axe {
  /** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
  public static final List<String> TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");

  private Axe() {}

  /** The violations in the page as it is now, one line each (rule, impact, help, and the elements), empty when none. */
  public static List<String> violations(Page page) {
    return new AxeBuilder(page).withTags(TAGS).analyze().getViolations().stream().map(Axe::describe).toList();
  }

  /** Fails with every violation found in the page in the state named, for WCAG 2.1 A and AA. */
  public static void assertNoViolations(Page page, String state) {
    assertThat(violations(page)).as("axe violations (WCAG 2.1 A/AA) in state '%s' at %s px", state,
        page.viewportSize() == null ? "?" : page.viewportSize().width).isEmpty();
  }

  private static String describe(Rule rule) {
    String nodes = rule.getNodes().stream().limit(5).map(CheckedNode::getTarget).map(String::valueOf).collect(Collectors.joining(", "));
    return rule.getId() + " (" + rule.getImpact() + "): " + rule.getHelp() + " at " + nodes;
  }
}
