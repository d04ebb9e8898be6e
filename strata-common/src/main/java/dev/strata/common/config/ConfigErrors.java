package dev.strata.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what the YAML binder reports into a message a person can act on: the file, the key path as
 * written ({@code gateway.upstreams.app.balance.polcy}), the line and column in the user's file when
 * the key is there (it may come from the built-in defaults), what was found and what was expected.
 * Never a Java class name or a snippet of parser internals.
 */
final class ConfigErrors {

    /** A record's own check: {@code key.path: value (expected: ...)}, the key relative to the record. */
    private static final Pattern RULE = Pattern.compile("^([a-z0-9_]+(?:\\.[a-z0-9_]+|\\[\\d+])*): (.*)$",
            Pattern.DOTALL);

    private ConfigErrors() {}

    /** The message for a failure to bind section {@code section} of {@code source}, whose text is {@code yaml}. */
    static String binding(String source, String yaml, String section, JsonMappingException e) {
        String path = path(section, e.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            String key = path(section, u.getPath());
            return at(source, yaml, key) + ": unknown key" + expected(u.getKnownPropertyIds());
        }
        if (e instanceof ValueInstantiationException || e.getCause() instanceof IllegalArgumentException) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String rule = Objects.requireNonNullElse(cause.getMessage(), "invalid value");
            Matcher m = RULE.matcher(rule);
            if (m.matches()) {
                String key = keyOf(path, m.group(1));
                return at(source, yaml, key) + ": " + m.group(2);
            }
            return at(source, yaml, path) + ": " + firstLine(rule);
        }
        if (e instanceof InvalidFormatException f) {
            return at(source, yaml, path) + ": found '" + f.getValue() + "'" + expectedType(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            String message = Objects.requireNonNullElse(m.getOriginalMessage(), "");
            if (message.startsWith("Missing required creator property")
                    || message.startsWith("Cannot map `null`")) {
                return at(source, yaml, path) + ": missing (expected: a value)";
            }
            return at(source, yaml, path) + ": the wrong kind of value" + expectedType(m.getTargetType());
        }
        return at(source, yaml, path) + ": invalid value";
    }

    /** The message for YAML that does not parse. */
    static String syntax(String source, JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        String where = l == null || l.getLineNr() < 0 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
        String problem = firstLine(Objects.requireNonNullElse(e.getOriginalMessage(), "")).trim();
        int at = problem.indexOf(" at [Source");
        problem = at < 0 ? problem : problem.substring(0, at);
        return source + where + ": not valid YAML" + (problem.isEmpty() ? "" : ": " + problem);
    }

    /** {@code source: key (line L, column C)}, or without the location when the user's file does not hold the key. */
    static String at(String source, String yaml, String key) {
        JsonLocation l = yaml == null ? null : locate(yaml, key);
        return source + ": " + key + (l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")");
    }

    /**
     * A record checks its own keys and names them from its own key in the parent ({@code limits.max_connections}
     * from the record at {@code gateway.limits}), or from the collection it is in ({@code routes.name} from the
     * record at {@code gateway.routes[2]}, {@code upstreams.endpoints} from {@code gateway.upstreams.app}): the
     * rule's key is laid over the path where the record is, so the result names each key once.
     */
    private static String keyOf(String recordPath, String ruleKey) {
        String first = ruleKey.split("[.\\[]", 2)[0];
        String ancestor = recordPath;
        for (int depth = 0; depth < 2 && !ancestor.isEmpty(); depth++) {
            if (lastSegment(ancestor).equals(first)) {
                return recordPath + ruleKey.substring(first.length());
            }
            ancestor = parent(ancestor);
        }
        return join(recordPath, ruleKey);
    }

    private static String lastSegment(String path) {
        int dot = path.lastIndexOf('.');
        int bracket = path.lastIndexOf('[');
        int cut = Math.max(dot, bracket);
        return cut < 0 ? path : path.substring(dot > bracket ? cut + 1 : cut);
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        int bracket = path.lastIndexOf('[');
        int cut = Math.max(dot, bracket);
        return cut < 0 ? "" : path.substring(0, cut);
    }

    private static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    private static String path(String section, List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder(section);
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                b.append('.').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String expected(Collection<Object> known) {
        if (known == null || known.isEmpty()) {
            return "";
        }
        TreeSet<String> names = new TreeSet<>();
        known.forEach(k -> names.add(String.valueOf(k)));
        return " (expected one of: " + String.join(", ", names) + ")";
    }

    private static String expectedType(Class<?> type) {
        if (type == null) {
            return "";
        }
        String what;
        if (type == Duration.class) {
            what = "a duration such as 250ms, 5s, 2m or 1h";
        } else if (type == ByteSize.class) {
            what = "a size such as 512, 16KiB, 8MiB or 1GiB";
        } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            what = "a whole number";
        } else if (type == double.class || type == Double.class) {
            what = "a number";
        } else if (type == boolean.class || type == Boolean.class) {
            what = "true or false";
        } else if (type == String.class) {
            what = "a text";
        } else if (List.class.isAssignableFrom(type) || type.isArray()) {
            what = "a list";
        } else if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            what = "a mapping";
        } else if (type.isEnum()) {
            TreeSet<String> names = new TreeSet<>();
            for (Object c : type.getEnumConstants()) {
                names.add(c.toString().toLowerCase(java.util.Locale.ROOT));
            }
            what = "one of " + String.join(", ", names);
        } else {
            return "";
        }
        return " (expected: " + what + ")";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Where {@code key} ({@code section.a.b[2].c}) is written in {@code yaml}: the location of its name, or of
     * the list element; {@code null} when the file does not hold it or cannot be read again.
     */
    static JsonLocation locate(String yaml, String key) {
        Map<String, JsonLocation> where = new HashMap<>();
        ObjectMapper mapper = ConfigLoader.mapper();
        try (JsonParser p = mapper.getFactory().createParser(yaml)) {
            Deque<String> paths = new ArrayDeque<>();
            Deque<int[]> indexes = new ArrayDeque<>(); // per open array: the next element's index; null marker for objects
            String pending = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String parentPath = paths.isEmpty() ? "" : paths.peek();
                if (t == JsonToken.FIELD_NAME) {
                    pending = join(parentPath, p.currentName());
                    where.putIfAbsent(pending, p.currentTokenLocation());
                    continue;
                }
                String self;
                if (pending != null) {
                    self = pending;
                    pending = null;
                } else if (!indexes.isEmpty() && indexes.peek().length == 1) {
                    self = parentPath + "[" + indexes.peek()[0]++ + "]";
                    where.putIfAbsent(self, p.currentTokenLocation());
                } else {
                    self = parentPath;
                }
                if (t == JsonToken.START_OBJECT) {
                    paths.push(self);
                    indexes.push(new int[0]);
                } else if (t == JsonToken.START_ARRAY) {
                    paths.push(self);
                    indexes.push(new int[1]);
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    paths.pop();
                    indexes.pop();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return where.get(key);
    }
}
