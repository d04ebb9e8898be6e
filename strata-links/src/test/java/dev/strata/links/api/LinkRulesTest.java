package dev.strata.links.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkRulesTest {

    @Test
    void generatedCodesAreSevenBase62Characters() {
        LinkRules rules = new LinkRules();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String code = rules.generateCode();
            assertThat(code).matches("[0-9A-Za-z]{7}");
            seen.add(code);
        }
        assertThat(seen).hasSizeGreaterThan(9_990);
    }

    @Test
    void chosenCodes() {
        assertThatCode(() -> LinkRules.checkChosenCode("abc")).doesNotThrowAnyException();
        assertThatCode(() -> LinkRules.checkChosenCode("A-b_9".repeat(6))).doesNotThrowAnyException();
        assertThatThrownBy(() -> LinkRules.checkChosenCode("Api")).hasMessageContaining("reserved");
        assertThatThrownBy(() -> LinkRules.checkChosenCode("ab")).hasMessageContaining("expected: 3 to 32");
        assertThatThrownBy(() -> LinkRules.checkChosenCode("a b c")).hasMessageContaining("expected: 3 to 32");
    }

    @Test
    void urls() {
        assertThatCode(() -> LinkRules.checkUrl("https://example.com")).doesNotThrowAnyException();
        assertThatCode(() -> LinkRules.checkUrl("HTTP://example.com:8080/a?b=c#d")).doesNotThrowAnyException();
        assertThatCode(() -> LinkRules.checkUrl("http://[::1]:8080/")).doesNotThrowAnyException();
        assertThatThrownBy(() -> LinkRules.checkUrl("https://example.com/\u00a0")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> LinkRules.checkUrl("https://exa<mple.com/")).hasMessageContaining("not a valid URI");
        assertThatThrownBy(() -> LinkRules.checkUrl("file:///etc/passwd")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> LinkRules.checkUrl("https:example.com")).hasMessageContaining("no host");
    }
}
