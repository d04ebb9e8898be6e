package dev.strata.gateway.testing;

import dev.strata.gateway.filter.RequestView;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A request view for unit tests: a GET of {@code target} from {@code client}, with the given header fields. */
public record FakeRequest(String target, InetAddress clientAddress, List<String[]> fields) implements RequestView {

    public static FakeRequest get(String target) {
        return new FakeRequest(target, null, List.of());
    }

    public FakeRequest from(String client) {
        try {
            return new FakeRequest(target, InetAddress.getByName(client), fields);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(client, e);
        }
    }

    /** This request with one more field {@code name: value}. */
    public FakeRequest with(String name, String value) {
        List<String[]> more = new ArrayList<>(fields);
        more.add(new String[] {name, value});
        return new FakeRequest(target, clientAddress, more);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    @Override
    public String host() {
        return header("host");
    }

    @Override
    public String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.getFirst();
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        for (String[] field : fields) {
            if (field[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                values.add(field[1]);
            }
        }
        return values;
    }
}
