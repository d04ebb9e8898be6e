package dev.strata.gateway.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Changes to a head's fields, applied in order over the fields received: {@link #remove} drops every field
 * of a name, {@link #set} drops them and adds one, {@link #add} adds one. Names are tokens and values
 * carry no CR, LF or NUL (RFC 9110 §5.5), checked here, so no edit can split a head. Confined to the
 * request's event loop.
 */
public final class HeaderEdits {

    /** What an edit does. */
    public enum Op { SET, ADD, REMOVE }

    private final List<Op> ops = new ArrayList<>(4);
    private final List<String> names = new ArrayList<>(4);   // lower case
    private final List<String> values = new ArrayList<>(4);  // null for REMOVE
    private final List<String> spelled = new ArrayList<>(4); // the name as given, for the wire

    public HeaderEdits set(String name, String value) {
        return edit(Op.SET, name, checkValue(name, value));
    }

    public HeaderEdits add(String name, String value) {
        return edit(Op.ADD, name, checkValue(name, value));
    }

    public HeaderEdits remove(String name) {
        return edit(Op.REMOVE, name, null);
    }

    /** Every edit of {@code other}, after these. */
    public HeaderEdits addAll(HeaderEdits other) {
        for (int i = 0; i < other.size(); i++) {
            ops.add(other.ops.get(i));
            names.add(other.names.get(i));
            values.add(other.values.get(i));
            spelled.add(other.spelled.get(i));
        }
        return this;
    }

    public int size() {
        return ops.size();
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    public Op op(int i) {
        return ops.get(i);
    }

    /** The name of edit {@code i}, lower case. */
    public String name(int i) {
        return names.get(i);
    }

    /** The name of edit {@code i} as it was given. */
    public String spelledName(int i) {
        return spelled.get(i);
    }

    /** The value of edit {@code i} ({@code null} for a removal). */
    public String value(int i) {
        return values.get(i);
    }

    /** Whether a received field named {@code lowerName} is dropped (removed or set by an edit). */
    public boolean drops(String lowerName) {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) != Op.ADD && names.get(i).equals(lowerName)) {
                return true;
            }
        }
        return false;
    }

    /** The fields the edits add, as name/value pairs after the last removal of each name. */
    public List<String> added() {
        List<String> out = new ArrayList<>(ops.size() * 2);
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) == Op.REMOVE) {
                continue;
            }
            if (removedLater(i)) {
                continue;
            }
            out.add(spelled.get(i));
            out.add(values.get(i));
        }
        return out;
    }

    private boolean removedLater(int i) {
        String n = names.get(i);
        for (int j = i + 1; j < ops.size(); j++) {
            if (ops.get(j) != Op.ADD && names.get(j).equals(n)) {
                return true;
            }
        }
        return false;
    }

    private HeaderEdits edit(Op op, String name, String value) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(HeaderEdits::tokenChar)) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: an HTTP field name)");
        }
        ops.add(op);
        names.add(name.toLowerCase(Locale.ROOT));
        values.add(value);
        spelled.add(name);
        return this;
    }

    private static String checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: a field value)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new IllegalArgumentException(name + ": a value with CR, LF, NUL or a non-Latin-1 character"
                        + " (expected: visible characters, spaces and tabs)");
            }
        }
        return value.strip();
    }

    static boolean tokenChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HeaderEdits[");
        for (int i = 0; i < ops.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(ops.get(i)).append(' ').append(spelled.get(i));
            if (values.get(i) != null) {
                sb.append(": ").append(values.get(i));
            }
        }
        return sb.append(']').toString();
    }
}
