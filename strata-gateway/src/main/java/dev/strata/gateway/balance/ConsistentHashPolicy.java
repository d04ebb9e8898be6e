package dev.strata.gateway.balance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code consistent-hash}: a ring of virtual nodes; a key goes to the first node at or after its hash
 * whose endpoint is a candidate. Requests without a key are spread by least-request.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Minimal remapping</h3>
 * Each endpoint owns {@link #VIRTUAL_NODES} points, hashed from {@code id + "#" + i}, so its place on
 * the ring depends on its id alone. When an endpoint leaves, only the keys whose first point was its
 * own move, each to the next point of another endpoint; when one joins, only the keys that now land
 * on its points move, all to it. With 160 points per endpoint the busiest endpoint stays within a few
 * tens of percent of the mean.
 *
 * <h3>Walking instead of rebuilding</h3>
 * The candidates of one request may lack some ring members: ejected, unhealthy, or already tried by
 * this request. Skipping the points of absent members while walking maps every key exactly as a ring
 * built without them would, so a subset of the members never needs a rebuild. The ring is rebuilt,
 * from the current candidates, only when a candidate is not on it. Members that left for good (a
 * reload) cost a longer walk until the next rebuild; a reload normally builds a new balancer anyway.
 *
 * <h3>Threading</h3>
 * The ring is immutable and published through a volatile field. Two pickers that both see a new
 * candidate may both rebuild; either result is the same ring, and the last write wins. A pick costs
 * one map lookup per candidate (to detect new members), a binary search, and usually one step of
 * walking; it allocates nothing.
 */
final class ConsistentHashPolicy implements LoadBalancer {

    static final int VIRTUAL_NODES = 160;

    private final LoadBalancer withoutKey;
    private volatile Ring ring = Ring.EMPTY;

    ConsistentHashPolicy(LoadBalancer withoutKey) {
        this.withoutKey = withoutKey;
    }

    @Override
    public <T extends Target> T pick(List<T> candidates, String hashKey) {
        if (hashKey == null) {
            return withoutKey.pick(candidates, null);
        }
        Ring current = ring;
        if (!current.hasAll(candidates)) {
            current = Ring.of(candidates);
            ring = current;
        }
        return current.walk(Hashing.hash64(hashKey), candidates);
    }

    /** Ring members, for tests. */
    int ringSize() {
        return ring.members.length;
    }

    private static final class Ring {

        static final Ring EMPTY = new Ring(new String[0], Map.of(), new long[0], new int[0]);

        final String[] members;
        final Map<String, Integer> memberIndex;
        /** Point hashes in ascending (signed) order; {@code owners[i]} is the member owning point {@code i}. */
        final long[] points;
        final int[] owners;

        private Ring(String[] members, Map<String, Integer> memberIndex, long[] points, int[] owners) {
            this.members = members;
            this.memberIndex = memberIndex;
            this.points = points;
            this.owners = owners;
        }

        /** Points are ordered by hash, then by member id, so the ring does not depend on candidate order. */
        static Ring of(List<? extends Target> candidates) {
            String[] members = candidates.stream().map(Target::id).distinct().sorted().toArray(String[]::new);
            Map<String, Integer> memberIndex = new HashMap<>();
            List<long[]> points = new ArrayList<>(members.length * VIRTUAL_NODES);
            for (int member = 0; member < members.length; member++) {
                memberIndex.put(members[member], member);
                for (int node = 0; node < VIRTUAL_NODES; node++) {
                    points.add(new long[] {Hashing.hash64(members[member] + "#" + node), member});
                }
            }
            points.sort(Comparator.<long[]>comparingLong(point -> point[0]).thenComparingLong(point -> point[1]));
            long[] hashes = new long[points.size()];
            int[] owners = new int[points.size()];
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = points.get(i)[0];
                owners[i] = (int) points.get(i)[1];
            }
            return new Ring(members, Map.copyOf(memberIndex), hashes, owners);
        }

        boolean hasAll(List<? extends Target> candidates) {
            for (int i = 0, size = candidates.size(); i < size; i++) {
                if (!memberIndex.containsKey(candidates.get(i).id())) {
                    return false;
                }
            }
            return true;
        }

        /** The candidate owning the first point at or after {@code hash}, skipping absent members. */
        <T extends Target> T walk(long hash, List<T> candidates) {
            int point = firstPointAtOrAfter(hash);
            for (int step = 0; step < points.length; step++) {
                T owner = find(candidates, members[owners[point]]);
                if (owner != null) {
                    return owner;
                }
                if (++point == points.length) {
                    point = 0;
                }
            }
            throw new IllegalStateException("no candidate on the ring: " + candidates);
        }

        private int firstPointAtOrAfter(long hash) {
            int found = Arrays.binarySearch(points, hash);
            if (found < 0) {
                int insertion = -found - 1;
                return insertion == points.length ? 0 : insertion;
            }
            while (found > 0 && points[found - 1] == hash) {
                found--;
            }
            return found;
        }

        private static <T extends Target> T find(List<T> candidates, String id) {
            for (int i = 0, size = candidates.size(); i < size; i++) {
                T candidate = candidates.get(i);
                if (id.equals(candidate.id())) {
                    return candidate;
                }
            }
            return null;
        }
    }
}
