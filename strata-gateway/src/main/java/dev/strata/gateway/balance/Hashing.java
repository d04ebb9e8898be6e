package dev.strata.gateway.balance;

/** A 64-bit string hash for the consistent-hash ring: FNV-1a over the chars, then murmur3's finalizer. */
final class Hashing {

    private Hashing() {}

    /**
     * FNV-1a alone leaves the high bits weak for short, similar inputs ({@code host:8081#17}); the
     * finalizer ({@code fmix64}) makes every input bit affect every output bit. Chars are hashed
     * directly, so a per-request key costs no encoding.
     */
    static long hash64(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, length = s.length(); i < length; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return fmix64(h ^ s.length());
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
