import MailAuditCore

/// The content-based key of a finding: rule id, path and the endpoint's semantic
/// identity — no line numbers, so it survives edits elsewhere in the file.
public enum Fingerprint {
    public static func make(_ ruleId: String, _ path: String, _ identity: [String]) -> String {
        hex(fnv1a(([ruleId, path] + identity).joined(separator: "\u{1F}")))
    }

    /// Two findings with the same key (the same listener written twice) get an occurrence suffix, in file order.
    static func disambiguate(_ findings: [Finding]) -> [Finding] {
        var seen: [String: Int] = [:]
        return findings.sorted(by: Finding.reportOrder).map { finding in
            var f = finding
            let n = seen[f.fingerprint, default: 0]
            seen[f.fingerprint] = n + 1
            if n > 0 { f.fingerprint = hex(fnv1a(f.fingerprint + ":\(n)")) }
            return f
        }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
