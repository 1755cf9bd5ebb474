import Foundation
import MailAuditCore

/// One finding per place: the findings of one rule at the same setting that say the same thing
/// apart from which endpoint they are about (an msmtp `defaults` password, a main.cf banner under
/// every master.cf service) become one finding that names every endpoint it affects. Findings whose
/// words differ (another host, port or value) stay apart.
enum FindingGrouping {
    /// An endpoint finding before grouping: its message with `marker` where the endpoint is named,
    /// and the words its fingerprint is made of.
    struct Pending {
        var finding: Finding
        var message: String
        var identity: [String]
    }

    /// Stands for the endpoint's name in a pending message (no rule text contains it).
    static let marker = "\u{0}endpoint\u{0}"

    static func group(_ pending: [Pending], path: String) -> [Finding] {
        struct Key: Hashable {
            var ruleId: String
            var severity: Severity
            var span: SourceSpan
            var message: String
        }
        var order: [Key] = []
        var groups: [Key: [Pending]] = [:]
        for p in pending {
            let key = Key(ruleId: p.finding.ruleId, severity: p.finding.severity, span: p.finding.span, message: p.message)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(p)
        }
        return order.map { merge(groups[$0]!, path: path) }
    }

    static func merge(_ members: [Pending], path: String) -> Finding {
        var finding = members[0].finding
        finding.endpoints = members.flatMap(\.finding.endpoints)
        finding.message = members[0].message.replacingOccurrences(of: marker, with: Endpoint.descriptionForMessages(finding.endpoints))
        guard members.count > 1 else { return finding }
        var seen: Set<SourceSpan> = [finding.span]
        finding.related = members.flatMap(\.finding.related).filter { seen.insert($0).inserted }.sorted()
        // From the set of endpoints, not their order: reordering the file keeps the fingerprint.
        let identities = members.map { $0.identity.joined(separator: "\u{1E}") }.sorted()
        finding.fingerprint = Fingerprint.make(finding.ruleId, path, identities)
        return finding
    }
}
