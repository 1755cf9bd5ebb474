import MailAuditCore

/// A standalone page: the summary and every finding with its source line (secrets masked).
public struct HTMLReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        var rows = ""
        let excerpts = SourceExcerpts(report)
        for f in report.activeFindings {
            let source = excerpts.excerpt(f.span)?.text ?? ""
            rows += "<tr class=\"\(f.severity.rawValue)\"><td>\(f.severity.rawValue)</td><td><code>\(xml(f.span.path)):\(f.span.line):\(f.span.column)</code></td>"
            rows += "<td>\(xml(f.ruleId)) \(xml(f.ruleName))</td><td>\(xml(f.message))<pre>\(xml(source))</pre></td></tr>\n"
        }
        for p in report.result.problems {
            rows += "<tr class=\"error\"><td>error</td><td><code>\(xml(p.path))\(p.span.map { ":\($0.line):\($0.column)" } ?? "")</code></td><td>MA000 parse-error</td><td>\(xml(p.message))</td></tr>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>mailaudit report</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}
        tr.error td:first-child{color:#b00}tr.warning td:first-child{color:#a60}tr.note td:first-child{color:#06a}pre{margin:.3em 0 0;background:#f6f6f6}</style></head>
        <body><h1>mailaudit report</h1>
        <p>\(Wording.severities(report))\(Wording.unreadable(report).map { "; \($0)" } ?? "").</p>
        <table><thead><tr><th>severity</th><th>location</th><th>rule</th><th>message</th></tr></thead><tbody>
        \(rows)</tbody></table></body></html>

        """
    }
}
