package dev.strata.common.process;

import java.util.concurrent.CountDownLatch;

/**
 * Runs a started node as its process's whole life: SIGTERM, SIGINT, or the supervisor going away
 * ({@link ParentWatch}) run the node's graceful stop in a shutdown hook, and the process exits with
 * status 0 once it has finished.
 */
public final class NodeProcess {

    private NodeProcess() {}

    /**
     * Arms the stop paths for {@code gracefulStop}, then runs {@code announceReady} (a supervisor or a
     * test may send SIGTERM as soon as it sees the announcement), then blocks until the stop has run.
     */
    public static void serveUntilStopped(String name, Runnable gracefulStop, Runnable announceReady) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gracefulStop.run();
            } finally {
                stopped.countDown();
            }
        }, name + "-stop"));
        StopSignals.exitZeroOnTermination();
        ParentWatch.armIfSupervised();
        announceReady.run();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
