import MailAuditCore

/// Findings per rule as an inline SVG bar chart: drawn here, no library, no script. Each bar is
/// labelled with its count and severity in words, so the chart reads without its colours.
enum HTMLChart {
    static let rowHeight = 24, labelWidth = 70, barWidth = 300, width = 520

    static func svg(_ rows: [AuditView.RuleCount]) -> String {
        let height = max(1, rows.count) * rowHeight + 8
        let most = max(1, rows.map(\.count).max() ?? 1)
        var out = "<svg role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" aria-labelledby=\"chart-title\">"
        out += "<title id=\"chart-title\">Findings per rule, coloured by severity</title>"
        for (i, row) in rows.enumerated() {
            let y = i * rowHeight + 4
            let length = max(2, row.count * barWidth / most)
            out += "<text x=\"0\" y=\"\(y + 16)\" font-size=\"13\" font-family=\"monospace\" fill=\"#1b1b1b\">\(xml(row.id))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(rowHeight - 8)\" fill=\"\(fill(row.severity))\"><title>\(xml("\(row.id) \(row.name): \(Wording.count(row.count, row.severity.rawValue))"))</title></rect>"
            out += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#1b1b1b\">\(xml(Wording.count(row.count, row.severity.rawValue)))</text>"
        }
        return out + "</svg>"
    }

    static func fill(_ s: Severity) -> String {
        switch s {
        case .error: return "#a4161a"
        case .warning: return "#d99a00"
        case .note: return "#8a8a8a"
        }
    }
}
