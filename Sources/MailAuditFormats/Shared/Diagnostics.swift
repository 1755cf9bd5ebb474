import MailAuditCore

/// The one way a parser reports what it could not read past (MA000): every stage of a parse —
/// a shared lexer, a format's syntax, its resolver and mapper — reports into one of these, in the
/// order it meets the problems, and the parse files them in its setup (`MailSetup.problems`).
///
/// A value, not a shared object: each parse starts its own, so two
/// files parsed with copies of one context never see each other's problems, and a stage that reads
/// speculatively (a mutt `ifdef` branch) can work on a copy and keep what it decides to keep.
struct Diagnostics: Sendable, Hashable {
    private(set) var problems: [ParseProblem] = []

    init() {}

    /// A problem at `span`, in the file the span is in (`.start(of: path)` for the whole file).
    mutating func report(_ message: String, at span: SourceSpan) {
        problems.append(ParseProblem(message, path: span.path, span: span))
    }

    /// A problem another stage made (a read that failed, a library's error).
    mutating func report(_ problem: ParseProblem) {
        problems.append(problem)
    }

    /// What a stage with its own collector found (a lexer that runs before the reader), in its order.
    mutating func report(contentsOf other: Diagnostics) {
        problems += other.problems
    }

    mutating func report(contentsOf other: some Sequence<ParseProblem>) {
        problems += other
    }

    var isEmpty: Bool { problems.isEmpty }
    var count: Int { problems.count }

    /// Keeps the problems `keep` accepts (a stage that reads a part twice and keeps one reading).
    mutating func retain(where keep: (Int, ParseProblem) -> Bool) {
        problems = problems.enumerated().filter { keep($0.offset, $0.element) }.map(\.element)
    }
}

extension SourceSpan {
    /// The first character of a file: where a problem with the whole file is reported.
    static func start(of path: String) -> SourceSpan {
        SourceSpan(path: path, line: 1, column: 1)
    }
}

extension MailSetup {
    /// The setup with the parse's problems filed in it.
    func reporting(_ diagnostics: Diagnostics) -> MailSetup {
        var setup = self
        setup.problems = diagnostics.problems
        return setup
    }
}
