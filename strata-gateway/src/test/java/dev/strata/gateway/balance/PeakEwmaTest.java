package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeakEwmaTest {

    private static final long MS = 1_000_000;
    private static final long TAU = 10_000 * MS;
    private static final long T0 = 5_000 * MS;

    @Test
    void isZeroUntilTheFirstSampleWhichItThenReadsExactly() {
        PeakEwma ewma = new PeakEwma();
        assertThat(ewma.valueNanos(T0)).isZero();
        ewma.observe(20 * MS, T0);
        assertThat(ewma.valueNanos(T0)).isEqualTo(20 * MS);
    }

    @Test
    void aHigherSampleTakesOverAtOnce() {
        PeakEwma ewma = new PeakEwma();
        ewma.observe(10 * MS, T0);
        ewma.observe(500 * MS, T0 + MS);
        assertThat(ewma.valueNanos(T0 + MS)).isEqualTo(500 * MS);
    }

    @Test
    void aLowerSamplePullsDownByTheTimeWeightedShare() {
        PeakEwma ewma = new PeakEwma(Duration.ofNanos(TAU));
        ewma.observe(100 * MS, T0);
        ewma.observe(10 * MS, T0 + TAU);
        double decay = Math.exp(-1);
        double faded = 100 * MS * decay;
        assertThat(ewma.valueNanos(T0 + TAU)).isCloseTo(faded * decay + 10 * MS * (1 - decay), within(1.0));
        assertThat(ewma.valueNanos(T0 + TAU)).isLessThan(faded).isGreaterThan(10 * MS);
    }

    @Test
    void manyFastSamplesHideOneSlowOneOnlyGradually() {
        PeakEwma ewma = new PeakEwma();
        ewma.observe(200 * MS, T0);
        for (int i = 1; i <= 10; i++) {
            ewma.observe(5 * MS, T0 + i * MS);
        }
        assertThat(ewma.valueNanos(T0 + 10 * MS)).isGreaterThan(190 * MS);
    }

    @Test
    void aConstantResponseTimeReadsExactly() {
        PeakEwma ewma = new PeakEwma();
        for (int i = 0; i < 100; i++) {
            ewma.observe(7 * MS, T0 + i * 50 * MS);
        }
        assertThat(ewma.valueNanos(T0 + 99 * 50 * MS)).isEqualTo(7 * MS);
    }

    @Test
    void anEstimateNobodyRefreshesFades() {
        PeakEwma ewma = new PeakEwma(Duration.ofNanos(TAU));
        ewma.observe(100 * MS, T0);
        assertThat(ewma.valueNanos(T0 + TAU)).isCloseTo(100 * MS * Math.exp(-1), within(1.0));
        assertThat(ewma.valueNanos(T0 + 10 * TAU)).isLessThan(0.01 * MS);
    }

    @Test
    void samplesOutOfOrderCountAsAgeZero() {
        PeakEwma ewma = new PeakEwma();
        ewma.observe(10 * MS, T0);
        ewma.observe(5 * MS, T0 - MS);
        assertThat(ewma.valueNanos(T0)).isEqualTo(10 * MS);
        assertThat(ewma.valueNanos(T0 - 2 * MS)).isEqualTo(10 * MS);
    }

    @Test
    void worksAcrossTheClockSign() {
        PeakEwma ewma = new PeakEwma();
        ewma.observe(3 * MS, -MS);
        ewma.observe(4 * MS, MS);
        assertThat(ewma.valueNanos(MS)).isEqualTo(4 * MS);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new PeakEwma(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeConstant: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new PeakEwma().observe(-1, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rttNanos: -1 (expected: >= 0)");
    }
}
