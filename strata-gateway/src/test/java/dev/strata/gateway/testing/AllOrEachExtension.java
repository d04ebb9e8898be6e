package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An extension that starts servers for a whole test class or for each test, and closes what it started
 * even when a test or a set-up step fails.
 *
 * <h2>Scopes</h2>
 * Registered with {@code @RegisterExtension} on a static field, the extension has a class scope, from
 * before the class's first {@code @BeforeAll} method to after its last {@code @AfterAll} method, and a
 * test scope around each test (its {@code @BeforeEach} and {@code @AfterEach} methods included). On an
 * instance field, JUnit calls no class-level callback, so there is only the test scope. A resource
 * handed to {@link #closeAtEnd} belongs to the scope that is open when it is started: the test's while
 * a test runs, the class's otherwise.
 *
 * <h2>Closing</h2>
 * At the end of a scope its resources are closed, the last started first (a gateway before the
 * origins behind it), and closing carries on past a resource that fails to close, so that one failure
 * leaks nothing else; the first failure is thrown with the others suppressed. JUnit calls the
 * after-callbacks even when a before-callback, a set-up method or the test failed. A test may close a
 * resource itself (a gateway that drains, an origin that dies): {@link Origin#close} and
 * {@link Gateway#close} may be called again.
 *
 * <h2>Threading</h2>
 * JUnit runs this project's tests one at a time; the scopes are still guarded by {@code this}, for a
 * test that starts a resource on a thread of its own.
 */
abstract class AllOrEachExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** Open from {@link #beforeAll} to {@link #afterAll}; null on an instance field. Guarded by {@code this}. */
    private Deque<AutoCloseable> classScope;
    /** Open from {@link #beforeEach} to {@link #afterEach}. Guarded by {@code this}. */
    private Deque<AutoCloseable> testScope;

    /**
     * Starts what the extension holds for its widest scope: once for the class on a static field, once
     * for each test on an instance field. Resources it starts go through {@link #closeAtEnd}.
     */
    protected void start() throws Exception {}

    /** Runs before each test, after {@link #start}. */
    protected void beforeTest() {}

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        synchronized (this) {
            classScope = new ArrayDeque<>();
        }
        start();
    }

    @Override
    public final void beforeEach(ExtensionContext context) throws Exception {
        boolean perTest;
        synchronized (this) {
            testScope = new ArrayDeque<>();
            perTest = classScope == null;
        }
        if (perTest) {
            start();
        }
        beforeTest();
    }

    @Override
    public final void afterEach(ExtensionContext context) throws Exception {
        closeAll(endTestScope());
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        closeAll(endClassScope());
    }

    /** Null when the scope never opened: JUnit calls every after-callback even when a before-callback failed. */
    private synchronized Deque<AutoCloseable> endTestScope() {
        Deque<AutoCloseable> ending = testScope;
        testScope = null;
        return ending;
    }

    private synchronized Deque<AutoCloseable> endClassScope() {
        Deque<AutoCloseable> ending = classScope;
        classScope = null;
        return ending;
    }

    /**
     * Closes {@code resource} at the end of the scope open now, and returns it.
     *
     * @throws IllegalStateException outside every scope: the extension is not registered with
     *     {@code @RegisterExtension}, or the resource is started after the scope ended
     */
    public final synchronized <T extends AutoCloseable> T closeAtEnd(T resource) {
        Deque<AutoCloseable> scope = testScope != null ? testScope : classScope;
        if (scope == null) {
            try {
                resource.close();
            } catch (Exception e) {
                // the state error below is the one to report
            }
            throw new IllegalStateException("started outside a test: register the extension with @RegisterExtension");
        }
        scope.push(resource); // a Gateway's close may run twice (the test may close it itself)
        return resource;
    }

    private static void closeAll(Deque<AutoCloseable> resources) throws Exception {
        if (resources == null) {
            return;
        }
        Exception first = null;
        for (AutoCloseable r; (r = resources.poll()) != null; ) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
