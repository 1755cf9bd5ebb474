/// Counted nouns and the one-line summary every human-readable format ends with, so they all
/// agree in number: "1 error", "2 errors", "in 1 file".
public enum Wording {
    /// `1 error`, `2 errors`; `plural` for a noun that does not just take an `s` (`entries`).
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }

    /// `3 errors, 7 warnings, 2 notes in 5 files`.
    static func severities(_ report: Report) -> String {
        severities(report.counts, files: report.result.files.count)
    }

    static func severities(_ totals: ReportTotals) -> String {
        severities(totals.counts, files: totals.summary.files)
    }

    static func severities(_ c: SeverityCounts, files: Int) -> String {
        severities(c, in: count(files, "file"))
    }

    /// `3 errors, 7 warnings, 2 notes in 5 files` or `… for 2 endpoints`: the counts, then `scope`.
    static func severities(_ c: SeverityCounts, in scope: String, joinedBy word: String = "in") -> String {
        "\(count(c.error, "error")), \(count(c.warning, "warning")), \(count(c.note, "note")) \(word) \(scope)"
    }

    /// `2 files could not be read`: one file with several parse errors is one file.
    static func unreadable(_ report: Report) -> String? {
        unreadable(files: report.unreadableFiles)
    }

    static func unreadable(_ totals: ReportTotals) -> String? {
        unreadable(files: totals.unreadablePaths.count)
    }

    static func unreadable(files: Int) -> String? {
        return files == 0 ? nil : "\(count(files, "file")) could not be read"
    }
}
