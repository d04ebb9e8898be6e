package dev.strata.common.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads Strata's one YAML file. Each top-level key is a section owned by one role ({@code links},
 * {@code data}, {@code gateway}, {@code up}); a role binds its section to an immutable record tree.
 *
 * <p>Built-in defaults for section {@code NAME} live on the classpath at
 * {@code strata/defaults/NAME.yaml} (shipped by the module that owns the section). The user's file is
 * deep-merged over them: mappings merge key by key, everything else (scalars, lists) replaces.
 * Keys are snake_case; unknown keys are errors, so a typo never passes silently. Durations are
 * written {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; sizes {@code 512}, {@code 16KiB},
 * {@code 8MiB}, {@code 1GiB}.
 */
public final class ConfigLoader {

    private static final ObjectMapper MAPPER = newMapper();

    private final ObjectNode user;
    private final String source;
    private final String yaml; // the user's text, to say where a key is written; null for the defaults

    private ConfigLoader(ObjectNode user, String source, String yaml) {
        this.user = user;
        this.source = source;
        this.yaml = yaml;
    }

    /** Built-in defaults only. */
    public static ConfigLoader defaults() {
        return new ConfigLoader(JsonNodeFactory.instance.objectNode(), "built-in defaults", null);
    }

    /** The user's file over the built-in defaults. */
    public static ConfigLoader fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("config file " + file + " cannot be read: permission denied", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException("config file " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read"
                    + (Files.isDirectory(file) ? ": it is a directory" : ""), e);
        }
        return fromYaml(text, file.toString());
    }

    /** YAML text over the built-in defaults; {@code source} names it in error messages. */
    public static ConfigLoader fromYaml(String yaml, String source) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(ConfigErrors.syntax(source, e), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid YAML", e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source + ": the top level must be a mapping of sections");
        }
        return new ConfigLoader((ObjectNode) tree, source, yaml);
    }

    /** Binds section {@code name} (defaults merged with the user's values) to {@code type}. */
    public <T> T section(String name, Class<T> type) {
        ObjectNode merged = defaultsOf(name);
        JsonNode own = user.get(name);
        if (own != null && !own.isNull()) {
            if (!own.isObject()) {
                throw new ConfigException(ConfigErrors.at(source, yaml, name) + ": the wrong kind of value (expected: a mapping)");
            }
            deepMerge(merged, (ObjectNode) own);
        }
        try {
            return MAPPER.treeToValue(merged, type);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new ConfigException(ConfigErrors.binding(source, yaml, name, e), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": section '" + name + "' cannot be read", e);
        }
    }

    /**
     * As {@link #section}, for a command that cannot run on the defaults alone: a file without the section
     * is refused, naming it ({@code what} says who needs it, as {@code "a gateway"}).
     */
    public <T> T requiredSection(String name, Class<T> type, String what) {
        JsonNode own = user.get(name);
        if (own == null || own.isNull()) {
            throw new ConfigException(source + ": no '" + name + ":' section (" + what + " needs one; "
                    + "see docs/configuration.md)");
        }
        return section(name, type);
    }

    /** The user's own tree, for tools that rewrite a config for child processes. */
    public ObjectNode userTree() {
        return user.deepCopy();
    }

    public String source() {
        return source;
    }

    /** Serializes a tree back to YAML (used to hand a child process its effective config). */
    public static String toYaml(JsonNode tree) {
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mapper the loader binds with, for tests and tools that read config-shaped YAML. */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    private static ObjectNode defaultsOf(String name) {
        String resource = "strata/defaults/" + name + ".yaml";
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return JsonNodeFactory.instance.objectNode();
            }
            JsonNode tree = MAPPER.readTree(in);
            return tree instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("broken built-in defaults " + resource, e);
        }
    }

    /**
     * Merges {@code over} into {@code into}, the way a user's file is merged over the built-in defaults:
     * mappings merge key by key, recursively; anything else in {@code over} (a scalar, a list, a null,
     * or a mapping where {@code into} has no mapping) replaces what {@code into} holds, as a copy.
     * {@code over} is not changed.
     */
    public static void deepMerge(ObjectNode into, ObjectNode over) {
        Iterator<Map.Entry<String, JsonNode>> fields = over.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (into.get(field.getKey()) instanceof ObjectNode target && field.getValue() instanceof ObjectNode source) {
                deepMerge(target, source);
            } else {
                into.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private static ObjectMapper newMapper() {
        SimpleModule units = new SimpleModule("strata-units");
        units.addDeserializer(Duration.class, new Units.DurationDeserializer());
        units.addSerializer(Duration.class, new Units.DurationSerializer());
        units.addDeserializer(ByteSize.class, new Units.ByteSizeDeserializer());
        units.addSerializer(ByteSize.class, new Units.ByteSizeSerializer());
        return new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .registerModule(units)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }
}
