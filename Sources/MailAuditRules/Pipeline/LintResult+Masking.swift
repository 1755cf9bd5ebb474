import MailAuditCore

extension LintResult {
    /// The result with every secret the run knows replaced by `****` in every string it carries:
    /// messages, the model's text fields, baseline entries (a fix is the rule pack's own text). A
    /// parse problem, or a finding on a line that holds a secret, is also cleared of pieces of it
    /// (a line quoted cut short, a word of it).
    public func masked() -> LintResult {
        guard !redactor.isEmpty else { return self }
        var out = self
        out.findings = findings.map { f in
            var f = f
            f.message = mask(f.message, at: f.span)
            f.endpoints = f.endpoints.map(mask)
            if let name = f.identity?.name { f.identity?.name = redactor.redact(name) }
            return f
        }
        // A problem message may quote the raw line it could not read: pieces of secrets go too.
        out.problems = problems.map { p in
            var p = p
            p.message = redactor.redactPieces(p.message, path: p.span?.path ?? p.path)
            return p
        }
        out.setups = setups.map { s in
            var s = s
            s.endpoints = s.endpoints.map(mask)
            s.identities = s.identities.map { i in
                var i = i
                i.name = i.name.map { redactor.redact($0) }
                return i
            }
            return s
        }
        if var b = baseline {
            b.stale = b.stale.map { e in
                var e = e
                e.message = redactor.redactPieces(e.message, path: e.path)
                return e
            }
            out.baseline = b
        }
        return out
    }

    func mask(_ message: String, at span: SourceSpan) -> String {
        let onSecretLine = (secrets[span.path] ?? []).contains { $0.line <= span.endLine && $0.endLine >= span.line }
        return onSecretLine ? redactor.redactPieces(message, path: span.path) : redactor.redact(message)
    }

    func mask(_ e: Endpoint) -> Endpoint {
        var e = e
        e.account = e.account.map { redactor.redact($0) }
        e.host = e.host.map { redactor.redact($0) }
        e.banner = e.banner.map { redactor.redact($0) }
        return e
    }
}
