/// 64-bit FNV-1a over UTF-8 bytes: the same on every machine and in every run (Swift's `hashValue`
/// is seeded per process), for fingerprints and `--shard`.
public enum FNV1a {
    public static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
