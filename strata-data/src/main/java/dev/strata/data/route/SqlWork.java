package dev.strata.data.route;

import java.sql.Connection;
import java.sql.SQLException;

/** What a caller does on a connection the router lends it; the connection is not kept. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
