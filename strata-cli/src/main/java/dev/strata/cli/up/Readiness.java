package dev.strata.cli.up;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** A check that tells whether a started node serves. Each call is one short attempt. */
interface Readiness {

    boolean ready();

    /** {@code GET url} answers 2xx. */
    static Readiness http(HttpClient client, String url) {
        URI uri = URI.create(url);
        return () -> {
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return response.statusCode() / 100 == 2;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    /** A JDBC connection opens and answers. */
    static Readiness jdbc(String url, String user, String password) {
        return () -> {
            Properties props = new Properties();
            props.setProperty("user", user);
            if (password != null && !password.isEmpty()) {
                props.setProperty("password", password);
            }
            props.setProperty("connectTimeout", "2");
            props.setProperty("socketTimeout", "2");
            try (Connection c = DriverManager.getConnection(url, props)) {
                return c.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        };
    }
}
