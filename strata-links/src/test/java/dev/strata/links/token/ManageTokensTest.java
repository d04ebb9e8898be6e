package dev.strata.links.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ManageTokensTest {

    @Test
    void aTokenIsTheBase64UrlHmacOfTheCode() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal("abc1234".getBytes(StandardCharsets.UTF_8)));
        assertThat(new ManageTokens("s3cret").issue("abc1234")).isEqualTo(expected);
    }

    @Test
    void verifiesUnderTheSameSecretOnly() {
        ManageTokens one = new ManageTokens("one");
        String token = one.issue("code1");
        assertThat(new ManageTokens("one").verify("code1", token)).isTrue();
        assertThat(new ManageTokens("two").verify("code1", token)).isFalse();
        assertThat(one.verify("code2", token)).isFalse();
        assertThat(one.verify("code1", token + "x")).isFalse();
        assertThat(one.verify("code1", "")).isFalse();
        assertThatThrownBy(() -> new ManageTokens("")).hasMessageContaining("secret");
    }
}
