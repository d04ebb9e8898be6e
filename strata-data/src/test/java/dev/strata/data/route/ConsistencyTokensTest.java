package dev.strata.data.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsistencyTokensTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final ConsistencyTokens tokens = new ConsistencyTokens("secret", Duration.ofSeconds(60), at(NOW));

    @Test
    void aTokenCarriesItsPositionToAnyNodeWithTheSameSecret() {
        WalPosition position = WalPosition.parse("16/B374D848");
        String token = tokens.issue(position);
        ConsistencyTokens otherNode = new ConsistencyTokens("secret", Duration.ofSeconds(60), at(NOW.plusSeconds(30)));
        assertThat(otherNode.verify(token)).contains(position);
        assertThat(token).matches("[0-9A-Za-z._-]+").hasSizeLessThanOrEqualTo(ConsistencyTokens.MAX_LENGTH);
    }

    @Test
    void aForgedTamperedOrForeignTokenIsNoToken() {
        String token = tokens.issue(WalPosition.parse("0/1000"));
        String[] parts = token.split("\\.");
        String raisedPosition = parts[0] + ".ffffffffffffffff." + parts[2] + "." + parts[3];
        String longerLife = parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 3600) + "." + parts[3];
        assertThat(tokens.verify(raisedPosition)).isEmpty();
        assertThat(tokens.verify(longerLife)).isEmpty();
        assertThat(tokens.verify(token.substring(0, token.length() - 1) + "A")).isEmpty();
        assertThat(new ConsistencyTokens("another secret", Duration.ofSeconds(60), at(NOW)).verify(token)).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify("1.0.0")).isEmpty();
        assertThat(tokens.verify("x".repeat(10_000))).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void anExpiredTokenIsNoToken() {
        String token = tokens.issue(WalPosition.parse("0/1000"));
        assertThat(new ConsistencyTokens("secret", Duration.ofSeconds(60), at(NOW.plusSeconds(61))).verify(token)).isEmpty();
    }

    @Test
    void positionsReadAndPrintAsPostgreSqlWritesThem() {
        assertThat(WalPosition.parse("16/B374D848").toString()).isEqualTo("16/B374D848");
        assertThat(WalPosition.parse("0/0")).isEqualTo(WalPosition.ZERO);
        assertThat(WalPosition.parse("1/0").bytesAfter(WalPosition.parse("0/FFFFFFFF"))).isEqualTo(1);
        assertThat(WalPosition.parse("0/10").bytesAfter(WalPosition.parse("0/20"))).isZero();
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }
}
