import MailAuditCore
import MailAuditRules

/// The audit as the report pages (HTML, Markdown) show it: one entry per setup — a linted file with
/// the files it pulled in — with its verdict, endpoints and findings, worst setup first. Grouping
/// only: which findings exist is the linter's business.
struct AuditView {
    struct Setup {
        var path: String
        var format: FormatID
        var endpointCount: Int
        /// The endpoints, when the run kept its setups (the inventory).
        var endpoints: [Endpoint] = []
        /// Most severe first, then in report order.
        var findings: [Finding] = []
        var problems: [ParseProblem] = []

        var counts: SeverityCounts {
            var c = SeverityCounts(findings)
            c.error += problems.count
            return c
        }

        var verdict: Verdict {
            if !problems.isEmpty { return .unreadable }
            let c = counts
            return c.error > 0 ? .errors : c.warning > 0 ? .warnings : c.note > 0 ? .notes : .clean
        }

        /// Worth a section of its own: something to show beyond its verdict line.
        var hasDetails: Bool { !endpoints.isEmpty || !findings.isEmpty || !problems.isEmpty }
    }

    enum Verdict: Int, Comparable {
        case clean, notes, warnings, errors, unreadable

        static func < (a: Verdict, b: Verdict) -> Bool { a.rawValue < b.rawValue }

        /// In words, so the verdict reads the same printed in black and white.
        var words: String {
            switch self {
            case .unreadable: return "could not be read"
            case .errors: return "errors: fix before use"
            case .warnings: return "warnings: should be fixed"
            case .notes: return "notes only"
            case .clean: return "no findings"
            }
        }

        /// The style class (the colour goes with the words, never instead of them).
        var tone: Tone {
            switch self {
            case .unreadable, .errors: return .bad
            case .warnings: return .warn
            case .notes: return .neutral
            case .clean: return .good
            }
        }
    }

    struct RuleCount {
        var id: String, name: String, severity: Severity, count: Int
    }

    let setups: [Setup]
    /// Findings per rule, most first.
    let byRule: [RuleCount]
    let endpointCount: Int
    /// Findings `--max-findings` left out of the listing (still counted everywhere).
    let leftOut: Int

    init(_ report: Report) {
        let result = report.result
        var setups: [Setup] = []
        var index: [String: Int] = [:]
        for file in result.files where index[file.path] == nil {
            index[file.path] = setups.count
            setups.append(Setup(path: file.path, format: file.format, endpointCount: file.endpoints))
        }
        for setup in result.setups {
            guard let i = index[setup.path] else { continue }
            setups[i].endpoints = setup.endpoints
            // A finding in an included file (master.cf, a sourced muttrc) belongs to the setup that included it.
            for included in setup.includedFiles where index[included] == nil { index[included] = i }
        }
        func setupIndex(_ path: String) -> Int {
            if let i = index[path] { return i }
            index[path] = setups.count
            setups.append(Setup(path: path, format: "unknown", endpointCount: 0))
            return setups.count - 1
        }
        let listed = report.listedFindings
        for finding in listed { setups[setupIndex(finding.span.path)].findings.append(finding) }
        for problem in result.problems { setups[setupIndex(problem.path)].problems.append(problem) }
        for i in setups.indices {
            // Stable: report order within a severity.
            setups[i].findings = setups[i].findings.enumerated()
                .sorted { $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset }
                .map(\.element)
        }
        self.setups = setups.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.verdict != y.verdict { return x.verdict > y.verdict }
            let (cx, cy) = (x.counts, y.counts)
            if (cx.error, cx.warning, cx.note) != (cy.error, cy.warning, cy.note) { return (cx.error, cx.warning, cx.note) > (cy.error, cy.warning, cy.note) }
            return a.offset < b.offset
        }.map(\.element)
        var counts: [String: RuleCount] = [:]
        for f in report.activeFindings {
            counts[f.ruleId, default: RuleCount(id: f.ruleId, name: f.ruleName, severity: f.severity, count: 0)].count += 1
        }
        if !result.problems.isEmpty {
            let rule = report.rules.parseError
            counts[rule.id] = RuleCount(id: rule.id, name: rule.name, severity: rule.severity, count: result.problems.count)
        }
        byRule = counts.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
        endpointCount = result.files.reduce(0) { $0 + $1.endpoints }
        leftOut = report.activeFindings.count - listed.count
    }

    /// The rules the report links to (those with findings), in id order, for the pages at its end.
    func rulesShown(_ rules: RuleSet) -> [Rule] {
        let ids = Set(byRule.map(\.id))
        return rules.rules.filter { ids.contains($0.id) }
    }

    /// The formats of the setups a rule fired in: its page shows their fixes.
    func formats(of ruleId: String) -> Set<String> {
        Set(setups.flatMap { $0.findings.filter { $0.ruleId == ruleId }.map(\.format.rawValue) })
    }
}

/// How a cell or verdict reads: its style class, always paired with words.
enum Tone: String {
    case good, warn, bad, neutral
}
