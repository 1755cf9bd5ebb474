import MailAuditCore

/// The content-based key of a finding: rule id, path and the endpoint's semantic
/// identity — no line numbers, so it survives edits elsewhere in the file.
public enum Fingerprint {
    public static func make(_ ruleId: String, _ path: String, _ identity: [String]) -> String {
        hex(FNV1a.hash(([ruleId, path] + identity).joined(separator: "\u{1F}")))
    }

    /// Two findings with the same key (the same listener written twice) get an occurrence suffix, in file order.
    static func disambiguate(_ findings: [Finding]) -> [Finding] {
        var seen: [String: Int] = [:]
        return findings.sorted(by: Finding.reportOrder).map { finding in
            var f = finding
            let n = seen[f.fingerprint, default: 0]
            seen[f.fingerprint] = n + 1
            if n > 0 { f.fingerprint = hex(FNV1a.hash(f.fingerprint + ":\(n)")) }
            return f
        }
    }

    static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
