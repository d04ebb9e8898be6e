package dev.strata.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void aStatusMapsToItsOutcome() {
        assertThat(Outcome.ofStatus(200)).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.ofStatus(404)).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.ofStatus(499)).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.ofStatus(500)).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(Outcome.ofStatus(501)).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(Outcome.ofStatus(502)).isEqualTo(Outcome.GATEWAY_ERROR);
        assertThat(Outcome.ofStatus(503)).isEqualTo(Outcome.GATEWAY_ERROR);
        assertThat(Outcome.ofStatus(504)).isEqualTo(Outcome.GATEWAY_ERROR);
        assertThat(Outcome.ofStatus(505)).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(Outcome.ofStatus(599)).isEqualTo(Outcome.SERVER_ERROR);
    }

    @Test
    void aDegradedAnswerIsAnOutcomeOfItsOwnOnlyFrom500Up() {
        assertThat(Outcome.ofResponse(503, true)).isEqualTo(Outcome.DEGRADED);
        assertThat(Outcome.ofResponse(500, true)).isEqualTo(Outcome.DEGRADED);
        assertThat(Outcome.ofResponse(200, true)).isEqualTo(Outcome.SUCCESS);
        assertThat(Outcome.ofResponse(503, false)).isEqualTo(Outcome.GATEWAY_ERROR);
    }
}
