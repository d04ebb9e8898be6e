package dev.strata.gateway.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The stage's nodes as {@code run/topology.json} names them, read again when the file changes. A node
 * whose pid no longer runs reads as down: the supervisor that wrote the file restarts it and writes
 * the new pid. The file is bounded ({@link #MAX_BYTES}, {@link #MAX_NODES}); one that cannot be read
 * leaves the nodes empty and says why.
 */
final class Topology {

    static final long MAX_BYTES = 256 * 1024;
    static final int MAX_NODES = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One node of the stage; {@code pid} 0 when the file gives none. */
    record Node(String name, String role, String url, String adminUrl, long pid) {
        boolean alive() {
            return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    /** What the file says now: its nodes, or why there are none. */
    record View(List<Node> nodes, String problem) {}

    private final Path file;
    private FileTime seen;
    private long seenSize = -1;
    private View last;

    Topology(Path file) {
        this.file = file;
        this.last = new View(List.of(), null);
    }

    Path file() {
        return file;
    }

    /** The nodes, read again when the file's time or size changed. */
    View read() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(seen) && size == seenSize) {
                return last;
            }
            seen = modified;
            seenSize = size;
            if (size > MAX_BYTES) {
                return last = new View(List.of(), file + " is larger than " + MAX_BYTES + " bytes");
            }
            return last = parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            seen = null;
            seenSize = -1;
            return last = new View(List.of(), file + " does not exist (yet)");
        } catch (IOException e) {
            seen = null;
            seenSize = -1;
            return last = new View(List.of(), file + " cannot be read");
        }
    }

    static View parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            return new View(List.of(), "not valid JSON");
        }
        JsonNode nodes = root == null ? null : root.get("nodes");
        if (nodes == null || !nodes.isArray()) {
            return new View(List.of(), "no 'nodes' list");
        }
        List<Node> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            if (out.size() == MAX_NODES) {
                break;
            }
            String name = text(n, "name");
            if (name.isEmpty()) {
                continue;
            }
            out.add(new Node(name, text(n, "role"), text(n, "url"), text(n, "admin_url"),
                    n.path("pid").canConvertToLong() ? Math.max(0, n.path("pid").asLong()) : 0));
        }
        return new View(List.copyOf(out), null);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isValueNode()) {
            return "";
        }
        String s = v.asText();
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
