import MailAuditCore

/// Caps the problems (MA000) reported per file: the first `perFile` by position, then one problem that
/// says how many more there are. A file with 100,000 errors is not a configuration with typos; the rest
/// would only bury the first ones (the ones to fix first) and cost memory in every report.
public enum ProblemLimit {
    public static let perFile = 100

    public static func apply(_ problems: [ParseProblem], perFile limit: Int = perFile) -> [ParseProblem] {
        var byPath: [String: [ParseProblem]] = [:]
        var paths: [String] = []
        for problem in problems {
            if byPath[problem.path] == nil { paths.append(problem.path) }
            byPath[problem.path, default: []].append(problem)
        }
        guard byPath.values.contains(where: { $0.count > limit }) else { return problems }
        var out: [ParseProblem] = []
        for path in paths {
            let all = byPath[path]!
            guard all.count > limit else { out += all; continue }
            // Stable: problems at the same position keep the parser's order.
            let ordered = all.enumerated().sorted { a, b in
                (a.element.span?.line ?? 0, a.element.span?.column ?? 0, a.offset) < (b.element.span?.line ?? 0, b.element.span?.column ?? 0, b.offset)
            }.map(\.element)
            out += ordered.prefix(limit)
            let more = ordered.count - limit
            out.append(ParseProblem("and \(more) more error\(more == 1 ? "" : "s") in this file from here on, not shown (mailaudit shows the first \(limit) per file)",
                                    path: path, span: ordered[limit].span))
        }
        return out
    }
}
